from pk import *
import struct
C,S='10.0.0.1','10.0.0.2'
p=[]
t=5000.0
def raw(dt,b,cap=None): p.append((t+dt,b) if cap is None else (t+dt,b,cap))
# 1 bogus hdr len 16
raw(0.0, T(C,S,43000,40404,100,200,'A',1000,hlen=16))
# 2 hlen 60 but only 20 bytes tcp header present
raw(0.01, T(C,S,43001,40404,100,200,'A',1000,hlen=60))
# 3 snaplen truncated within tcp header (cap 14+20+10)
raw(0.02, T(C,S,43002,40404,100,200,'A',1000), 44)
# 4 snaplen truncated in options
raw(0.03, T(C,S,43003,40404,100,200,'A',1000,opts=MSS(1460)+NOP()+NOP()+TS(5,6)), 14+20+24)
# 5 snaplen truncated in payload
raw(0.04, T(C,S,43004,40404,100,200,'PA',1000,b'p'*100), 14+20+20+10)
# 6 ethernet padding
pk=T(C,S,43005,40404,100,200,'A',1000); raw(0.05, pk+b'\0'*6)
# 7 IP total length bigger than frame
pk=eth(ipv4(C,S,6,tcp(C,S,43006,40404,100,200,'PA',1000,b'q'*10),tot=200)); raw(0.06,pk)
# 8 only 10 bytes of TCP reported (IP total len says 30)
seg=tcp(C,S,43007,40404,100,200,'A',1000)[:10]; raw(0.07, eth(ipv4(C,S,6,seg)))
# 9 truncated in ports
raw(0.08, T(C,S,43008,40404,100,200,'A',1000), 14+20+3)
# 10 truncated in IP header
raw(0.09, T(C,S,43009,40404,100,200,'A',1000), 14+10)
write('tE.pcap',p)
