from pk import *
import struct
C,S='10.0.0.1','10.0.0.2'
p=[]
t=4000.0
def c(dt,sp,dp,seq,ack,fl,win,n=0,**kw): p.append((t+dt, T(C,S,sp,dp,seq,ack,fl,win,b'd'*n,**kw)))
def s(dt,sp,dp,seq,ack,fl,win,n=0,**kw): p.append((t+dt, T(S,C,sp,dp,seq,ack,fl,win,b'e'*n,**kw)))
# stream 0: only SYN-ACK seen with WS=2
s(0.0,40404,42000,900,101,'SA',2000,opts=MSS(1400)+NOP()+WS(2))  #1
c(0.01,42000,40404,101,901,'A',1000)  #2 client: unknown (-1)
s(0.02,40404,42000,901,101,'A',2000)  #3 server: scaled x4
# stream 1: SYN with WS, SYN-ACK missing
c(0.1,42001,40404,100,0,'S',1000,opts=MSS(1460)+NOP()+WS(3))  #4
c(0.11,42001,40404,101,901,'A',1000)  #5 client scaled x8
s(0.12,40404,42001,901,101,'A',2000)  #6 server unknown
# stream 2: SYN no WS, SYN-ACK with WS
c(0.2,42002,40404,100,0,'S',1000)  #7
s(0.21,40404,42002,900,101,'SA',2000,opts=WS(3))  #8
c(0.22,42002,40404,101,901,'A',1000)  #9
s(0.23,40404,42002,901,101,'A',2000)  #10
# stream 3: no handshake, WS option appears in a non-SYN packet
c(0.3,42003,40404,100,900,'A',1000)  #11
c(0.31,42003,40404,100,900,'A',1000,opts=WS(4)+NOP())  #12
c(0.32,42003,40404,100,900,'A',1000)  #13
# stream 4: window full: handshake with no WS (-2)
c(0.4,42004,40404,100,0,'S',1000)  #14
s(0.41,40404,42004,900,101,'SA',300)  #15
c(0.42,42004,40404,101,901,'A',1000)  #16
c(0.43,42004,40404,101,901,'PA',1000,300)  #17 window full (300 bytes fills 300 window)
s(0.44,40404,42004,901,401,'A',0)  #18 zero window
write('tD.pcap',p)
