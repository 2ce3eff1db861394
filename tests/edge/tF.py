from pk import *
import struct, socket
p=[]
t=6000.5
# unknown ethertype not in table
p.append((t, eth(b'\x00'*46, etype=0x1234)))
# ethertype in table but no dissector
p.append((t+0.1, eth(b'\x00'*46, etype=0x88b5)))
# IPv6 TCP
def ip6(src,dst,nh,payload,hlim=64):
    return struct.pack('!IHBB',0x60000000,len(payload),nh,hlim)+socket.inet_pton(socket.AF_INET6,src)+socket.inet_pton(socket.AF_INET6,dst)+payload
def tcp6(src,dst,sp,dp,seq,ack,fl,win,payload=b'',opts=b''):
    seg=tcp('0.0.0.0','0.0.0.0',sp,dp,seq,ack,fl,win,payload,opts,cks=False)
    ph=socket.inet_pton(socket.AF_INET6,src)+socket.inet_pton(socket.AF_INET6,dst)+struct.pack('!IxxxB',len(seg),6)
    c=csum(ph+seg); return seg[:16]+struct.pack('!H',c)+seg[18:]
A='2001:db8:0:0:1:0:0:1'; B='2001:0db8:0000:0000:0000:0000:0000:0002'
p.append((t+0.2, eth(ip6(A,B,6,tcp6(A,B,44000,40404,1,0,'S',1000)),etype=0x86dd)))
p.append((t+0.3, eth(ip6('::ffff:10.1.2.3','fe80::1',6,tcp6('::ffff:10.1.2.3','fe80::1',44001,40404,1,0,'S',1000)),etype=0x86dd)))
p.append((t+0.4, eth(ip6('2001:db8:1:0:0:0:0:0','::',6,tcp6('2001:db8:1::','::',44002,40404,1,0,'S',1000)),etype=0x86dd)))
p.append((t+0.5, eth(ip6('2001:db8:0:1:0:0:1:0','1:0:0:2:0:0:0:3',6,tcp6('2001:db8:0:1:0:0:1:0','1:0:0:2:0:0:0:3',44003,40404,1,0,'S',1000)),etype=0x86dd)))
# ipv4 tcp with known OUI src and broadcast dst
p.append((t-1.25, T('10.0.0.1','10.0.0.2',44004,40404,1,0,'S',1000)))   # negative relative time
p.append((t-0.0000005, T('10.0.0.1','10.0.0.2',44005,40404,1,0,'S',1000)))   # tiny negative
# ARP with intel OUI
arp=struct.pack('!HHBBH',1,0x0800,6,4,1)+b'\x00\x1b\x21\x12\x34\x56'+ip4('10.0.0.1')+b'\0'*6+ip4('10.0.0.2')
p.append((t+0.6, eth(arp+b'\0'*18,etype=0x0806,dst=b'\xff'*6)))
arp=struct.pack('!HHBBH',1,0x0800,6,4,1)+b'\x00\x1b\x21\x12\x34\x56'+ip4('10.0.0.1')+b'\0'*6+ip4('10.0.0.1')
p.append((t+0.7, eth(arp+b'\0'*18,etype=0x0806,dst=b'\xff'*6)))
arp=struct.pack('!HHBBH',1,0x0800,6,4,1)+b'\x00\x1b\x21\x12\x34\x56'+ip4('0.0.0.0')+b'\0'*6+ip4('10.0.0.9')
p.append((t+0.8, eth(arp+b'\0'*18,etype=0x0806,dst=b'\xff'*6)))
arp=struct.pack('!HHBBH',2,0x0800,6,4,2)+b'\x00\x1b\x21\x12\x34\x56'+ip4('10.0.0.1')+b'\x52\x54\x00\xab\xcd\xef'+ip4('10.0.0.2')
p.append((t+0.9, eth(arp+b'\0'*18,etype=0x0806)))
# ipv4 multicast / broadcast dst mac
p.append((t+1.0, eth(ipv4('10.0.0.1','224.0.0.251',17,struct.pack('!HHHH',5353,5353,8,0)),dst=b'\x01\x00\x5e\x00\x00\xfb')))
p.append((t+1.1, eth(ipv4('10.0.0.1','10.0.0.255',17,struct.pack('!HHHH',5000,40404,10,0)+b'hi'),dst=b'\xff'*6)))
write('tF.pcap',p)
