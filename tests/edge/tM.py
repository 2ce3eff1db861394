from pk import *
# Ethernet frames of an unknown EtherType (0x1234) between MA-S, multicast and IPv6-multicast addresses:
# tshark names the protocol 0x1234 and leaves "Ethernet II" in Info.
p=[]
t=1000.0
pad=b'\0'*46
p.append((t,   eth(pad, 0x1234, src=bytes.fromhex('001bc5000012'), dst=bytes.fromhex('001bc5000123'))))
p.append((t+1, eth(pad, 0x1234, src=bytes.fromhex('011b21000012'), dst=bytes.fromhex('333300000001'))))
p.append((t+2, eth(pad, 0x1234, src=bytes.fromhex('001bc5000e12'), dst=bytes.fromhex('333300000000'))))
write('tM.pcap',p)
