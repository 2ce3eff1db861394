import struct, sys

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ip4(a): return bytes(int(x) for x in a.split('.'))

def tcp(src, dst, sp, dp, seq, ack, flags, win, payload=b'', opts=b'', urg=0, hlen=None, cks=True):
    F = {'F':1,'S':2,'R':4,'P':8,'A':16,'U':32,'E':64,'C':128,'N':256}
    fl = 0
    for c in flags: fl |= F[c]
    while len(opts) % 4: opts += b'\0'
    hl = hlen if hlen is not None else (20 + len(opts))
    hdr = struct.pack('!HHIIHHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, ((hl//4) << 12) | fl, win, 0, urg) + opts
    seg = hdr + payload
    if cks:
        ph = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, 6, len(seg))
        c = csum(ph + seg)
        seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    return seg

def ipv4(src, dst, proto, payload, ident=1, ttl=64, flags_off=0x4000, tot=None):
    tl = tot if tot is not None else 20 + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, tl, ident, flags_off, ttl, proto, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def eth(payload, etype=0x0800, src=b'\x00\x1b\x21\x12\x34\x56', dst=b'\x52\x54\x00\xab\xcd\xef'):
    return dst + src + struct.pack('!H', etype) + payload

def T(src, dst, sp, dp, seq, ack, flags, win, payload=b'', opts=b'', **kw):
    return eth(ipv4(src, dst, 6, tcp(src, dst, sp, dp, seq, ack, flags, win, payload, opts, **kw)))

def write(fn, pkts, linktype=1, nsec=False, snaplen=65535):
    # pkts: list of (ts_float_or_tuple, bytes[, caplen])
    with open(fn, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b23c4d if nsec else 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype))
        for p in pkts:
            ts, data = p[0], p[1]
            cap = p[2] if len(p) > 2 else len(data)
            if isinstance(ts, tuple): s, frac = ts
            else:
                s = int(ts); frac = round((ts - s) * (1e9 if nsec else 1e6))
            f.write(struct.pack('<IIII', s, frac, cap, len(data)))
            f.write(data[:cap])

# option builders
def MSS(v): return struct.pack('!BBH', 2, 4, v)
def WS(v): return struct.pack('!BBB', 3, 3, v)
def SACKP(): return b'\x04\x02'
def TS(a, b): return struct.pack('!BBII', 8, 10, a, b)
def NOP(): return b'\x01'
def SACK(*edges): return struct.pack('!BB', 5, 2 + 4*len(edges)) + b''.join(struct.pack('!I', e) for e in edges)
