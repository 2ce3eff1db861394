from pk import *
import struct
# Malformed and truncated headers, layer by layer: what tshark names, which addresses it shows and where it stops.
# tO.pcap is Ethernet; tO_raw.pcap (LINKTYPE_RAW), tO_null.pcap (NULL) and tO_loop.pcap (LOOP) hold the cases of
# links without addresses, which tshark labels "N/A".
C,S='192.0.2.10','198.51.100.20'
A6=bytes.fromhex('20010db8000000000000000000000001')
B6=bytes.fromhex('20010db8000000000000000000000002')
H=bytes.fromhex
def ip6(nxt, payload, plen=None, src=A6, dst=B6):
    return struct.pack('!IHBB', 0x60000000, len(payload) if plen is None else plen, nxt, 64) + src + dst + payload
def v4(proto, payload, src=C, dst=S, ident=7, tot=None): return ipv4(src, dst, proto, payload, ident=ident, tot=tot)
def icmp(typ, code, rest):
    m = bytes([typ, code]) + b'\0\0' + rest
    return m[:2] + struct.pack('!H', csum(m)) + m[4:]
def icmp6(typ, code, rest, src=A6, dst=B6):
    m = bytes([typ, code]) + b'\0\0' + rest
    ph = src + dst + struct.pack('!IxxxB', len(m), 58)
    return m[:2] + struct.pack('!H', csum(ph + m)) + m[4:]
def udp(sp, dp, payload, length=None):
    return struct.pack('!HHHH', sp, dp, 8 + len(payload) if length is None else length, 0) + payload
DST=b'\x3c\x22\xfb\x8a\x9d\x01'; SRC=b'\x00\x1a\x2b\x3c\x4d\x5e'
def E(payload, etype): return eth(payload, etype, src=SRC, dst=DST)
ETH = DST + SRC

p=[]
t=7000.0
def add(b, cap=None):
    global t
    t += 0.01
    p.append((t, b) if cap is None else (t, b, cap))

# ---- Ethernet, cut inside its header: the addresses read so far are shown
add(ETH[:5])                                   # 1 nothing
add(ETH[:9])                                   # 2 the destination only
add(ETH + b'\x08')                             # 3 both addresses, no type
# ---- IPv4 cut inside its header: the source once read replaces the link source, the destination stays the MAC
add(E(v4(17, udp(50000, 7777, b'\x12\x34\x01\x00'))[:19], 0x0800))   # 4 source read, destination not
add(E(v4(17, udp(50000, 7777, b'\x12\x34\x01\x00'))[:13], 0x0800))   # 5 neither
add(E(H('4400002000074000'), 0x0800))          # 6 header length 16: bogus before any length check
add(E(H('46000020000740004011'), 0x0800))      # 7 header length 24, 10 bytes: cut
add(E(v4(17, udp(50000, 7777, b'\x12\x34\x01\x00'), tot=10), 0x0800))  # 8 total length below the header's
# ---- 802.1Q / 802.1ad tags
add(E(b'', 0x8100))                            # 9 no TCI
add(E(b'\x00', 0x8100))                        # 10 one byte of TCI
add(E(H('e064'), 0x8100))                      # 11 TCI, no type: the tag is shown
add(E(H('0064 1234') + b'\0' * 40, 0x8100))    # 12 unknown EtherType inside the tag: the tag stays in Info
add(E(H('0064 8100 20c8'), 0x8100))            # 13 second tag cut after its TCI
add(E(H('0064'), 0x88a8))                      # 14 802.1ad tag cut after its TCI
add(E(H('0064 0800 45'), 0x8100))              # 15 IPv4 inside the tag, one byte of it
# ---- IPv6 header shorter than 40 bytes
add(E(H('6000'), 0x86dd))                      # 16
add(E(ip6(17, udp(50000, 7777, b'abcd'))[:28], 0x86dd))   # 17 source read
# ---- echo pairing: a reply names its request once; the checksum must match too
req = v4(1, icmp(8, 0, H('42420007') + b'abcdefgh'), ident=0x10)
rep = v4(1, icmp(0, 0, H('42420007') + b'abcdefgh'), src=S, dst=C, ident=0x11)
add(E(req, 0x0800)); add(E(rep, 0x0800)); add(E(rep, 0x0800))            # 18-20
add(E(req, 0x0800))                                                       # 21 the same request again
add(E(v4(1, icmp(0, 0, H('42420007') + b'abcdefgX'), src=S, dst=C), 0x0800))  # 22 other data: another checksum
add(E(rep, 0x0800))                                                       # 23 answers 21
req6 = ip6(58, icmp6(128, 0, H('77770003') + b'ping'))
rep6 = ip6(58, icmp6(129, 0, H('77770003') + b'ping', src=B6, dst=A6), src=B6, dst=A6)
add(E(req6, 0x86dd)); add(E(rep6, 0x86dd)); add(E(rep6, 0x86dd))         # 24-26
# ---- ICMP and ICMPv6 cut short
add(E(v4(1, H('080000')), 0x0800))             # 27 3 bytes: nothing named
add(E(v4(1, H('0800ffff4242')), 0x0800))       # 28 6 bytes: named, no identifier
add(E(v4(1, H('0300ffff4242')), 0x0800))       # 29 unreachable, 6 bytes
add(E(ip6(58, H('80')), 0x86dd))               # 30 ICMPv6, the type only
add(E(ip6(58, H('8000cdf87777')), 0x86dd))     # 31 echo without its sequence number
add(E(ip6(58, icmp6(1, 0, b'\0\0\0\0')), 0x86dd))                 # 32 error quoting nothing
add(E(ip6(58, icmp6(135, 0, b'\0\0\0\0')), 0x86dd))               # 33 neighbor solicitation without target
add(E(ip6(58, icmp6(135, 0, b'\0\0\0\0' + B6 + H('0101'))), 0x86dd))  # 34 option cut after its length
# ---- UDP cut short
add(E(v4(17, H('c350')), 0x0800))              # 35 half the ports
add(E(v4(17, H('c3501e61')), 0x0800))          # 36 the ports
add(E(v4(17, H('c3501e610004')), 0x0800))      # 37 a length below 8 ends it, no checksum read
add(E(v4(17, H('c3501e61000c')), 0x0800))      # 38 a length beyond the payload, then no checksum
full = E(v4(17, udp(50000, 7777, b'\x12\x34\x01\x00')), 0x0800)
add(full, 14 + 20 + 6)                         # 39 snap length cut before the checksum
# ---- TCP cut short
add(E(v4(6, tcp(C, S, 40000, 80, 1, 0, '', 1000)[:12]), 0x0800))      # 40 12 bytes: malformed
add(E(v4(6, tcp(C, S, 49152, 443, 0x11223344, 0, 'S', 64240,
                opts=MSS(1460) + SACKP() + TS(0xaaaa, 0) + NOP() + WS(10))), 0x0800), 60)  # 41 options cut by the snap length
# ---- an IPv4 payload of no bytes is handed to no protocol
add(E(v4(6, b''), 0x0800))                     # 42
add(E(v4(17, b''), 0x0800))                    # 43
# ---- IPv6 extension headers
frag = ip6(44, H('110000010000cafe') + udp(50000, 7777, b'ABCDEFGH' * 2)[:16], plen=24)
add(E(frag, 0x86dd))                           # 44 first fragment: ident in 8 digits
tcp6 = tcp(C, S, 49152, 443, 1000, 0, 'S', 65535)
add(E(ip6(0, H('0604010400000000') + tcp6), 0x86dd))                 # 45 hop-by-hop longer than the payload
add(E(ip6(60, H('0604010400000000') + tcp6), 0x86dd))                # 46 destination options, the same
add(E(ip6(43, H('0604010400000000') + tcp6), 0x86dd))                # 47 routing, the same
add(E(ip6(0, H('3c00010400000000') + H('0604010400000000') + tcp6[:8]), 0x86dd))  # 48 two of them
add(E(ip6(0, H('2c00010400000000') + H('1100')), 0x86dd))            # 49 fragment header cut
add(E(ip6(0, H('0600010400000000') + H('c000')), 0x86dd))            # 50 TCP of 2 bytes after hop-by-hop
add(E(ip6(0, H('0604010400000000') + tcp6), 0x86dd), 14 + 41)        # 51 snap length inside hop-by-hop
write('tO.pcap', p)

# ---- LINKTYPE_RAW: "N/A" addresses until IP has its own
p=[]; t=7100.0
udp4 = v4(17, udp(50000, 7777, b'\x12\x34\x01\x00'))
add(H('45'))                                   # 1 too short for the PPP checks
add(udp4[:5])                                  # 2
add(udp4[:8])                                  # 3 IPv4, 8 bytes
add(udp4[:19])                                 # 4 source read
add(H('44') + udp4[1:])                        # 5 header length 16
add(ip6(17, udp(50000, 7777, b'abcd'))[:39])   # 6 IPv6 header of 39 bytes
add(ip6(17, udp(50000, 7777, b'abcd'))[:10])   # 7
add(H('55') + udp4[1:])                        # 8 version 5: raw data
add(udp4, 19)                                  # 9 snap length inside the header
write('tO_raw.pcap', p, linktype=101)

# ---- NULL (BSD loopback, host byte order) and LOOP (network order)
p=[]; t=7200.0
add(H('02'))                                   # 1 one byte: nothing named at all
add(H('020000'))                               # 2 three bytes
add(H('02000000'))                             # 3 AF_INET and no byte of IP
add(H('02000000') + udp4[:19])                 # 4 source read
add(H('0a000000') + ip6(17, udp(50000, 7777, b'abcd')))  # 5 Linux's AF_INET6 (10) is no BSD family
add(H('00020000') + udp4)                      # 6 IRIX: a 16-bit family in the first two bytes
add(H('1e000000') + H('60'))                   # 7 AF_INET6 (macOS), one byte of IPv6
write('tO_null.pcap', p, linktype=0)
p=[]; t=7300.0
add(b'')                                       # 1 no bytes
add(H('000000'))                               # 2
add(H('02000000') + udp4)                      # 3 02000000 in network order is no family
add(H('00000002'))                             # 4 AF_INET and nothing more
write('tO_loop.pcap', p, linktype=108)
