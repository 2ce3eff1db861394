from pk import *
import struct
C,S='10.0.0.1','10.0.0.2'
p=[]; t=7000.0
# ICMP port unreachable embedding TCP SYN of unseen connection
inner=ipv4(C,S,6,tcp(C,S,46000,40404,1000,0,'S',1000))
icmp=struct.pack('!BBHI',3,3,0,0)+inner
icmp=icmp[:2]+struct.pack('!H',csum(icmp))+icmp[4:]
p.append((t, eth(ipv4(S,C,1,icmp))))
p.append((t+0.1, T(C,S,46001,40404,1,0,'S',1000)))
# ICMP embedding a TCP header only 8 bytes
inner=ipv4(C,S,6,tcp(C,S,46002,40404,1000,0,'S',1000)[:8],tot=40)
icmp=struct.pack('!BBHI',11,0,0,0)+inner
icmp=icmp[:2]+struct.pack('!H',csum(icmp))+icmp[4:]
p.append((t+0.2, eth(ipv4(S,C,1,icmp))))
p.append((t+0.3, T(C,S,46003,40404,1,0,'S',1000)))
# timestamp request, unknown icmp type, redirect
ic=struct.pack('!BBHHHIII',13,0,0,0x1234,1,0,0,0); ic=ic[:2]+struct.pack('!H',csum(ic))+ic[4:]
p.append((t+0.4, eth(ipv4(C,S,1,ic))))
ic=struct.pack('!BBHI',99,0,0,0); ic=ic[:2]+struct.pack('!H',csum(ic))+ic[4:]
p.append((t+0.5, eth(ipv4(C,S,1,ic))))
# echo request to broadcast
ic=struct.pack('!BBHHH',8,0,0,0x55,7)+b'abcdefgh'; ic=ic[:2]+struct.pack('!H',csum(ic))+ic[4:]
p.append((t+0.6, eth(ipv4(C,'255.255.255.255',1,ic))))
# echo reply without request
ic=struct.pack('!BBHHH',0,0,0,0x56,7)+b'abcdefgh'; ic=ic[:2]+struct.pack('!H',csum(ic))+ic[4:]
p.append((t+0.7, eth(ipv4(C,S,1,ic))))
# unknown IP protocol
p.append((t+0.8, eth(ipv4(C,S,253,b'abcd'))))
p.append((t+0.9, eth(ipv4(C,S,47,b''))))
write('tH.pcap',p)
