from pk import *
import struct
# The TCP conversation table (-z conv,tcp): size units, ordering, side A, times, states.
C,S='10.0.0.1','10.0.0.2'
p=[]; t=9000.0
def cut(dt, src, dst, sp, dp, seq, ack, fl, wire):
    # a frame of `wire` bytes on the wire, captured up to the end of its TCP header (snap length 54)
    d = T(src,dst,sp,dp,seq,ack,fl,1000)
    p.append((t+dt, d + b'x'*(wire-len(d)), 54))
# 9999 bytes one way ("9999 bytes"), 10000 the other ("10 kB"), 19999 in total ("19 kB": truncated)
cut(0.0, C,S,50000,443,1,1,'A',9999)
cut(0.001, S,C,443,50000,1,1,'A',10000)
# 160 frames of 65535 bytes: "10 MB", the busiest row first
for i in range(160):
    cut(0.002+i*0.0001, C,S,50001,443,1+i*65481,1,'A',65535)
# an ICMP error quoting a SYN comes first (not counted), then the server speaks first: side A is the server
quoted = ipv4(C,S,6,tcp(C,S,50002,443,100,0,'S',1000))
ic = struct.pack('!BBHI',3,1,0,0)+quoted; ic = ic[:2]+struct.pack('!H',csum(ic))+ic[4:]
p.append((t+0.1, eth(ipv4('10.0.0.254',C,1,ic))))
p.append((t+0.11, T(S,C,443,50002,500,101,'SA',1000)))
p.append((t+0.12, T(C,S,50002,443,101,501,'A',1000)))
# the clock goes backwards inside a connection: the start is the earliest time, not the first frame's
p.append((t+0.3, T(C,S,50003,443,1,1,'A',1000)))
p.append((t+0.25, T(S,C,443,50003,1,1,'A',1000)))
p.append((t+0.28125, T(C,S,50003,443,1,1,'A',1000)))
# a duration of exactly 0.03125 s prints as 0.0312 (ties to even)
p.append((t+0.46875, T(C,S,50006,443,1,1,'A',1000)))
p.append((t+0.5, T(C,S,50006,443,1,1,'A',1000)))
# a SYN retransmitted without answer (syn only); a refused connection (reset)
p.append((t+0.6, T(C,S,50007,443,1,0,'S',1000)))
p.append((t+0.61, T(C,S,50007,443,1,0,'S',1000)))
p.append((t+0.7, T(C,S,50008,443,1,0,'S',1000)))
p.append((t+0.71, T(S,C,443,50008,0,2,'RA',0)))
# a whole handshake and both FINs (closed); a handshake and data, no FIN (open)
p.append((t+0.8, T(C,S,50009,443,1000,0,'S',1000)))
p.append((t+0.81, T(S,C,443,50009,5000,1001,'SA',1000)))
p.append((t+0.82, T(C,S,50009,443,1001,5001,'A',1000)))
p.append((t+0.83, T(C,S,50009,443,1001,5001,'FA',1000)))
p.append((t+0.84, T(S,C,443,50009,5001,1002,'FA',1000)))
p.append((t+0.85, T(C,S,50009,443,1002,5002,'A',1000)))
p.append((t+0.9, T(C,S,50010,443,2000,0,'S',1000)))
p.append((t+0.91, T(S,C,443,50010,6000,2001,'SA',1000)))
p.append((t+0.92, T(C,S,50010,443,2001,6001,'PA',1000,b'hello')))
# a header cut by the snap length, then a whole one: only the second is counted
p.append((t+1.0, T(C,S,50011,443,1,1,'A',1000,opts=MSS(1460)), 56))
p.append((t+1.01, T(C,S,50011,443,1,1,'A',1000)))
write('tN.pcap', p)
