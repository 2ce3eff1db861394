from pk import *
import struct
def blk(t, body):
    while len(body)%4: body+=b'\0'
    L=12+len(body); return struct.pack('<II',t,L)+body+struct.pack('<I',L)
def shb(): return blk(0x0A0D0D0A, struct.pack('<IHHq',0x1A2B3C4D,1,0,-1))
def idb(linktype, tsresol=None):
    opts=b''
    if tsresol is not None: opts+=struct.pack('<HH',9,1)+bytes([tsresol])+b'\0\0\0'
    if opts: opts+=struct.pack('<HH',0,0)
    return blk(1, struct.pack('<HHI',linktype,0,0)+opts)
def epb(ifid, ts_units, data):
    return blk(6, struct.pack('<IIIII',ifid,ts_units>>32,ts_units&0xffffffff,len(data),len(data))+data)
pk=T('10.0.0.1','10.0.0.2',45000,40404,1,0,'S',1000)
out=shb()+idb(1)+idb(1,9)+idb(1,3)+idb(1,0x80|10)+idb(1,2)
base=1700000000
out+=epb(0,(base*10**6+123456),pk)          # usec
out+=epb(1,(base*10**9+123456789+5),pk)     # nsec
out+=epb(2,(base*10**3+999),pk)             # msec
out+=epb(3,(base*1024+512),pk)              # 2^-10
out+=epb(4,(base*100+7),pk)                 # csec
open('tG.pcapng','wb').write(out)
# nsec pcap
write('tG_ns.pcap',[((1700000000,5),pk),((1700000001,123456789),pk)],nsec=True)
