from pk import *
import struct, socket
def ip6(src,dst,nh,payload,hlim=64):
    return struct.pack('!IHBB',0x60000000,len(payload),nh,hlim)+socket.inet_pton(socket.AF_INET6,src)+socket.inet_pton(socket.AF_INET6,dst)+payload
p=[]; t=9900.0
pairs=[('::10.1.2.3','::1'),('::ffff:0:0','1::'),('0:0:0:0:0:1:0:0','1:0:0:1:0:0:1:0'),('fe80:0:0:0:abcd:ef:0:1','2001:db8:0:0:1:0:0:0'),('::0.0.1.0','::ffff:1:2')]
for i,(a,b) in enumerate(pairs):
    p.append((t+i, eth(ip6(a,b,17,struct.pack('!HHHH',40000,40404,8,0)),etype=0x86dd)))
write('tL.pcap',p)
for a,b in pairs: print(socket.inet_ntop(socket.AF_INET6,socket.inet_pton(socket.AF_INET6,a)), socket.inet_ntop(socket.AF_INET6,socket.inet_pton(socket.AF_INET6,b)))
