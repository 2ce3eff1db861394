#!/usr/bin/env python3
"""Writes the large hostile captures of docs/robustness.md into OUTDIR (default /tmp/httpsflow-hostile); they are
made, not committed. The small ones are built by tests/HttpsFlow.Tests/Robustness/HostileCaptureTests.cs at test time.
Usage: python3 tests/hostile/make-hostile.py [OUTDIR [NAME...]]"""
import gzip, os, struct, sys, zlib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'edge'))
from pk import T, eth, ipv4, write

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/httpsflow-hostile'
os.makedirs(out, exist_ok=True)
SERVER = '10.255.0.1'

def client(i): return '10.%d.%d.%d' % ((i >> 16) & 255, (i >> 8) & 255, i & 255)

def syn_flood(name, n):
    # n half-open connections to port 443, all distinct.
    write(os.path.join(out, name), [((i // 1000, (i % 1000) * 1000), T(client(i), SERVER, 1024 + i % 60000, 443, i * 7919, 0, 'S', 64240)) for i in range(n)])

def record(ctype, frag): return struct.pack('!BHH', ctype, 0x0303, len(frag)) + frag
def handshake(htype, body, claimed=None):
    n = len(body) if claimed is None else claimed
    return struct.pack('!B', htype) + n.to_bytes(3, 'big') + body

def connection(i, client_bytes, t):
    # SYN, SYN-ACK, ACK, then the client's bytes in 1,460-byte segments.
    c, s, cl, sp = 1000, 5000, client(i), 1024 + i % 60000
    pk = [(t, T(cl, SERVER, sp, 443, c, 0, 'S', 64240)), (t, T(SERVER, cl, 443, sp, s, c + 1, 'SA', 65535)), (t, T(cl, SERVER, sp, 443, c + 1, s + 1, 'A', 502))]
    c += 1
    for o in range(0, len(client_bytes), 1460):
        part = client_bytes[o:o + 1460]
        pk.append((t, T(cl, SERVER, sp, 443, c, s + 1, 'PA', 502, part)))
        c += len(part)
    return pk

def claims(name, n):
    # n connections, each opening a Certificate message that claims 16 MiB and sending 16 KiB of it.
    pk = []
    body = handshake(11, b'\0' * 16000, claimed=0xFFFFFF)
    for i in range(n):
        pk += connection(i, record(22, body[:16384]), (i, 0))
    write(os.path.join(out, name), pk)

def partial_records(name, n):
    # n connections each sending a record header that claims 16 KiB and 16 KiB - 1 byte of it: every direction holds
    # a 32 KiB buffer at the end (640 MiB for 20,000 without the reassembly budget).
    rec = struct.pack('!BHH', 23, 0x0303, 16384) + b'\x17' * 16383
    pk = []
    for i in range(n):
        pk += connection(i, rec, (i // 1000, (i % 1000) * 1000))
    write(os.path.join(out, name), pk)

def partial_handshakes(name, n):
    # n connections each opening a Certificate message that claims 16 MiB and sending 1 MiB of it: the first record holds
    # the header and 4 bytes (fewer than 16 bytes: not taken for an encrypted message, so reassembly starts), the rest
    # comes in 16 KiB records. Each direction's buffer doubles to 2 MiB (300 MiB for 150 without the budget).
    body = handshake(11, b'\0' * (1 << 20), claimed=0xFFFFFF)
    recs = record(22, body[:8]) + b''.join(record(22, body[o:o + 16384]) for o in range(8, len(body), 16384))
    pk = []
    for i in range(n):
        pk += connection(i, recs, (i, 0))
    write(os.path.join(out, name), pk)

def hello_extensions(name, n):
    ext = b''.join(struct.pack('!HH', 0x3000 + (i & 0xfff), 0) for i in range(n))
    body = b'\x03\x03' + b'\0' * 32 + b'\0' + b'\x00\x02\x13\x01' + b'\x01\x00' + struct.pack('!H', len(ext)) + ext
    msg = handshake(1, body)
    recs = b''.join(record(22, msg[o:o + 16384]) for o in range(0, len(msg), 16384))
    write(os.path.join(out, name), connection(0, recs, (1, 0)))

def fragment_flood(name, n):
    # n first fragments of distinct datagrams that never complete.
    write(os.path.join(out, name), [((1, i % 1000000), eth(ipv4(client(i), SERVER, 17, b'\0' * 1480, ident=i & 0xffff, flags_off=0x2000))) for i in range(n)])

def gzip_bomb(name, gib):
    # gib GiB of 64 KiB zero-filled records once inflated: one 64 MiB member compressed once and repeated.
    rec = struct.pack('<IIII', 0, 0, 65535, 65535) + b'\0' * 65535
    member = gzip.compress(rec * 1024, 9)
    with open(os.path.join(out, name), 'wb') as f:
        f.write(gzip.compress(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)))
        for _ in range(16 * gib): f.write(member)

# With names after OUTDIR, only those captures are made.
only = set(sys.argv[2:])
for name, make in [
    ('synflood-100k.pcap', lambda n: syn_flood(n, 100_000)),
    ('synflood-300k.pcap', lambda n: syn_flood(n, 300_000)),
    ('claims16m-2000.pcap', lambda n: claims(n, 2_000)),
    ('partial16k-20000.pcap', lambda n: partial_records(n, 20_000)),
    ('claims16m-1m-150.pcap', lambda n: partial_handshakes(n, 150)),
    ('hello-10000-ext.pcap', lambda n: hello_extensions(n, 10_000)),
    ('fragments-100k.pcap', lambda n: fragment_flood(n, 100_000)),
    ('bomb-4gib.pcap.gz', lambda n: gzip_bomb(n, 4)),
]:
    if not only or name in only: make(name)
for f in sorted(os.listdir(out)): print('%-24s %12d bytes' % (f, os.path.getsize(os.path.join(out, f))))
