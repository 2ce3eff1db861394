from pk import *
C,S='10.0.0.1','10.0.0.2'
p=[]; t=8000.0
def c(dt,sp,dp,seq,ack,fl,win,n=0,**kw): p.append((t+dt, T(C,S,sp,dp,seq,ack,fl,win,b'd'*n,**kw)))
def s(dt,sp,dp,seq,ack,fl,win,n=0,**kw): p.append((t+dt, T(S,C,sp,dp,seq,ack,fl,win,b'e'*n,**kw)))
c(0.0,47000,40404,500,900,'PA',100,10)     #1 midstream data
s(0.01,40404,47000,900,510,'A',100)        #2
c(0.02,47000,40404,3000,0,'S',100)         #3 SYN on existing conv -> reuse
s(0.03,40404,47000,7000,3001,'SA',100)     #4
c(0.04,47000,40404,3001,7001,'A',100)      #5
s(0.05,40404,47000,8000,3001,'SA',100)     #6 SYN-ACK different ISN -> reused flag, base changes
c(0.06,47000,40404,3001,8001,'A',100)      #7
s(0.07,40404,47000,8001,3001,'A',100)      #8
s(0.08,40404,47000,9999,0,'S',100)         #9 SYN from other side (server->client) on same 4-tuple
c(0.09,47000,40404,3001,10000,'SA',100)    #10
c(0.10,47000,40404,3001,10000,'A',100)     #11
# SYN retransmission after data seen in stream
c(0.2,47001,40404,100,0,'S',100)           #12
s(0.21,40404,47001,200,101,'SA',100)       #13
c(0.22,47001,40404,101,201,'PA',100,5)     #14
c(0.23,47001,40404,100,0,'S',100)          #15 same ISN SYN again
c(0.24,47001,40404,106,201,'PA',100,5)     #16
write('tI.pcap',p)
