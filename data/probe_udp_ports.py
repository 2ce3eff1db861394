#!/usr/bin/env python3
"""Writes data/tshark/udp-ports.csv: tshark 4.0.17's table of UDP ports with a registered protocol, and for each
whether that protocol's dissector takes a DTLS datagram before tshark's DTLS heuristic would see it.

Needs the installed tshark. Every port of `tshark -G decodes` (table udp.port) is sent one datagram holding a
DTLS 1.2 ClientHello record from port 60000 (which has no protocol); the datagram is "taken" when tshark's Protocol
column for it is not DTLS. The packet list uses the result to know where tshark would look for DTLS: on a DTLS port,
then, when neither port's protocol took the datagram, with the DTLS heuristic.
"""
import os
import pathlib
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "data" / "tshark" / "udp-ports.csv"


def client_hello_record() -> bytes:
    body = b"\xfe\xfd" + bytes(32) + b"\x00" + b"\x00" + b"\x00\x02\xc0\x2b" + b"\x01\x00"
    message = bytes([1]) + len(body).to_bytes(3, "big") + b"\x00\x00" + bytes(3) + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHHxxxxxxH", 22, 0xFEFF, 0, len(message)) + message


def checksum(header: bytes) -> int:
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def datagram(index: int, port: int, payload: bytes) -> bytes:
    udp = struct.pack("!HHHH", 60000, port, 8 + len(payload), 0) + payload
    src = bytes([10, 0, index // 200, index % 200 + 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, bytes([10, 1, 0, 1]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + udp


def main() -> None:
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    decodes = subprocess.run(["tshark", "-G", "decodes"], capture_output=True, text=True, env=env, check=True).stdout
    rows = sorted({(int(p), proto) for table, p, proto in (l.split("\t") for l in decodes.splitlines() if l.count("\t") == 2)
                   if table == "udp.port"})
    record = client_hello_record()
    with tempfile.TemporaryDirectory() as tmp:
        env["HOME"] = tmp
        path = pathlib.Path(tmp) / "ports.pcap"
        with path.open("wb") as out:
            out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, (port, _) in enumerate(rows):
                frame = datagram(i, port, record)
                out.write(struct.pack("<IIII", i + 1, 0, len(frame), len(frame)) + frame)
        columns = subprocess.run(["tshark", "-n", "-r", str(path), "-T", "fields", "-e", "_ws.col.Protocol"],
                                 capture_output=True, text=True, env=env, check=True).stdout.splitlines()
    with TARGET.open("w", newline="") as out:
        out.write("port,protocol,takes_dtls\n")
        for (port, proto), column in zip(rows, columns, strict=True):
            out.write(f"{port},{proto},{'no' if column.startswith('DTLS') else 'yes'}\n")


if __name__ == "__main__":
    main()
