from pk import *
import struct
C,S='10.0.0.1','10.0.0.2'
p=[]; t=9500.0
mpc=bytes([30,12,0x00|0x01,0x81])+b'\x11'*8   # MP_CAPABLE v0? subtype 0, version 1? 
p.append((t, T(C,S,48000,40404,1,0,'S',1000,opts=mpc)))
p.append((t+0.1, T(C,S,48001,40404,1,0,'S',1000,opts=bytes([34,2]),payload=b'')))
# AccECN setup: SYN with AE|CWR|ECE, SYN-ACK with CWR only, then data
p.append((t+0.2, T(C,S,48002,40404,100,0,'SNCE',1000)))
p.append((t+0.3, T(S,C,40404,48002,500,101,'SAC',1000)))
p.append((t+0.4, T(C,S,48002,40404,101,501,'AE',1000)))
p.append((t+0.5, T(C,S,48002,40404,101,501,'ANC',1000)))
write('tK.pcap',p)
