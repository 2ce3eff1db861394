from pk import *
import struct, socket
def ip6(src,dst,nh,payload,hlim=64):
    return struct.pack('!IHBB',0x60000000,len(payload),nh,hlim)+socket.inet_pton(socket.AF_INET6,src)+socket.inet_pton(socket.AF_INET6,dst)+payload
p=[]; t=9000.0
p.append((t, eth(ip6('fd00::1','fd00::2',17,struct.pack('!HHHH',40000,40404,10,0)+b'ab'),etype=0x86dd)))
p.append((t+0.1, eth(ipv4('10.0.0.1','10.0.0.2',17,struct.pack('!HHHH',40000,40404,4,0)+b'ab'))))
p.append((t+0.2, eth(ipv4('10.0.0.1','10.0.0.2',17,struct.pack('!HHHH',40000,40404,100,0)+b'ab'))))
p.append((t+0.3, eth(ipv4('10.0.0.1','10.0.0.2',17,struct.pack('!HHHH',40000,40404,9,0)+b'ab'))))
# icmpv6 echo to multicast
ic=struct.pack('!BBHHH',128,0,0,0x77,1)+b'zz'
p.append((t+0.4, eth(ip6('fd00::1','ff02::1',58,ic),etype=0x86dd)))
# ipv6 no next header, unknown next header
p.append((t+0.5, eth(ip6('fd00::1','fd00::2',59,b''),etype=0x86dd)))
p.append((t+0.6, eth(ip6('fd00::1','fd00::2',253,b'abc'),etype=0x86dd)))
write('tJ.pcap',p)
