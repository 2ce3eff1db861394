from pk import *
C,S='10.0.0.1','10.0.0.2'
p=[]
t=1000.0
# midstream: first packet pure ACK from client
p.append((t, T(C,S,40000,5555,1000,5000,'A',100)))
p.append((t+0.01, T(S,C,5555,40000,5000,1000,'PA',200,b'x'*10)))
p.append((t+0.02, T(C,S,40000,5555,1000,5010,'A',100)))
# packet without ACK flag, data
p.append((t+0.03, T(C,S,40000,5555,1000,0x12345678,'P',100,b'y'*5)))
# new connection: first packet is data without ACK from new flow
p.append((t+0.04, T(C,S,40001,5555,7000,0,'P',100,b'z'*5)))
p.append((t+0.05, T(S,C,5555,40001,9000,7005,'A',300)))
# SYN only (no ack flag) with nonzero ack field
p.append((t+0.06, T(C,S,40002,5555,100,777,'S',64240,opts=MSS(1460)+NOP()+WS(7))))
p.append((t+0.07, T(S,C,5555,40002,500,101,'SA',65160,opts=MSS(1460)+NOP()+WS(7))))
p.append((t+0.08, T(C,S,40002,5555,101,501,'A',502)))
p.append((t+0.09, T(S,C,5555,40002,501,101,'A',509)))
write('tA.pcap',p)
