#!/usr/bin/env python3
"""Generates HttpsFlow's TLS protocol-value registries from the data files beside this script.

    python3 data/generate.py            write src/HttpsFlow/Tls/Registry/*.g.cs from data/iana/*.csv and data/tshark/*.csv
    python3 data/generate.py --check    write nothing; exit 1 when a committed .g.cs differs from what would be written
    python3 data/generate.py --tshark   first refresh data/tshark/*.csv from the installed tshark (`tshark -G values`,
                                        `tshark -G fields`), then generate
    python3 data/generate.py --report   also print where IANA's names and tshark's differ
    python3 data/generate.py --out DIR  write the .g.cs files to DIR instead (the tests use it to check determinism)

Standard library only. The output depends on nothing but the bytes of the input files: rows are sorted by value, no
date or path of this machine is written, and every generated file names the SHA-256 of each CSV it was made from. Two
runs on the same data give byte-identical files.

Two kinds of name are kept for every value (see data/README.md):

  * the IANA name, from data/iana/ (IANA's registries, or copies of them: see data/README.md for each file's origin);
  * the tshark name, from data/tshark/: the text tshark 4.0.17 prints for the value in its detail view (-V) and in
    -T fields with `-E` showing names, e.g. "Handshake Failure" where IANA says handshake_failure.

`Describe(value)` in each generated class reproduces tshark's own text ("TLS_AES_128_GCM_SHA256 (0x1301)",
"Unknown (0x1a2b)", "server_name (0)"), in the number base of tshark's field. `Name(value)` is the most readable name
known: tshark's, else IANA's, else "Reserved (GREASE)" for an RFC 8701 value.

Cipher suite decomposition
--------------------------
Each IANA cipher suite name is parsed into the parts HttpsFlow's walkthrough explains. The rules, applied in order:

 1. Rows whose Description does not start with "TLS_" (Reserved, Unassigned, ranges) are not suites.
 2. A name ending in "_SCSV" is a signalling value (RFC 5746, RFC 7507): every part is "" and no flag is set.
 3. TLS 1.3 form: a name without "_WITH_" (TLS_AES_128_GCM_SHA256, TLS_SM4_GCM_SM3, TLS_AEGIS_256_SHA512,
    TLS_SHA256_SHA256, TLS_ASCONAEAD128_SHA256 ...), or one whose bulk part ends in _MGM_L / _MGM_S (the TLS 1.3
    GOST suites of RFC 9367, which keep a "GOSTR341112_256_WITH_" prefix). Key exchange and authentication are "any":
    a TLS 1.3 suite does not fix them (RFC 8446 Section 4.1.1; supported_groups, key_share and signature_algorithms
    do). Such a suite counts as forward secret, since every TLS 1.3 full handshake is (EC)DHE; a psk_ke resumption is
    not, but that is decided by psk_key_exchange_modes, not by the suite.
 4. TLS 1.2 and earlier: "TLS_" + KX + "_WITH_" + BULK. "_EXPORT" inside KX marks an export suite and is removed.
    KX splits into key exchange and authentication:
        RSA                       RSA        / RSA
        DH_DSS, DH_RSA            DH         / DSS, RSA        (static DH)
        DHE_DSS, DHE_RSA          DHE        / DSS, RSA
        DH_anon                   DH         / anon
        ECDH_ECDSA, ECDH_RSA      ECDH       / ECDSA, RSA      (static ECDH)
        ECDHE_ECDSA, ECDHE_RSA    ECDHE      / ECDSA, RSA
        ECDH_anon                 ECDH       / anon
        PSK                       PSK        / PSK
        DHE_PSK, PSK_DHE          DHE_PSK    / PSK             (PSK_DHE is IANA's spelling for 0xC0AA-0xC0AB)
        ECDHE_PSK                 ECDHE_PSK  / PSK
        RSA_PSK                   RSA_PSK    / RSA+PSK         (RFC 4279 Section 4: server certificate and PSK)
        KRB5                      KRB5       / KRB5
        SRP_SHA, SRP_SHA_RSA,     SRP_SHA    / SRP, RSA, DSS
        SRP_SHA_DSS
        ECCPWD                    ECCPWD     / ECCPWD          (RFC 8492, password)
        GOSTR341112_256           GOSTR341112_256 / GOSTR341112_256 (RFC 9189)
        NULL                      NULL       / NULL
 5. BULK is the bulk cipher followed by the hash: the last "_"-separated token is the hash when it is one of
    MD5, SHA, SHA256, SHA384, SHA512, SM3, OMAC, IMIT, ASCONHASH256, NULL; the rest is the cipher
    (AES_128_GCM, 3DES_EDE_CBC, CHACHA20_POLY1305, RC4_128, DES40_CBC, RC2_CBC_40, NULL ...). With no hash token:
        *_CCM, *_CCM_8 (RFC 6655, RFC 7251)   hash SHA256, the PRF those RFCs fix;
        *_MGM_L, *_MGM_S (RFC 9367)            hash GOSTR341112_256 (Streebog-256), the suites' HKDF hash.
    The hash is the MAC's hash for CBC and stream suites (SHA = HMAC-SHA1) and the PRF/HKDF hash for AEAD suites.
    TLS_SHA256_SHA256 and TLS_SHA384_SHA384 (RFC 9150) protect integrity only: cipher NULL, hash SHA256/SHA384.
 6. Mode, from the cipher: *_GCM -> GCM; *_CCM_8 -> CCM_8; *_CCM -> CCM; CHACHA20_POLY1305 -> POLY1305;
    *_MGM_L, *_MGM_S -> MGM; AEGIS_* -> AEGIS; ASCONAEAD* -> ASCON; *_CTR -> CTR; 28147_CNT -> CNT; a "CBC" token
    -> CBC; RC4_* -> stream; NULL -> none. AEAD: GCM, CCM, CCM_8, POLY1305, MGM, AEGIS, ASCON, and the RFC 9150
    integrity-only suites (which protect records through the AEAD interface without encrypting them).
 7. Key length in bits: a number in the cipher's name (AES_128 -> 128, RC4_40 -> 40, DES40 -> 40, AEGIS_128L -> 128);
    otherwise 3DES_EDE 168, DES 56, IDEA 128, SEED 128, CHACHA20 256, SM4 128, KUZNYECHIK 256, MAGMA 256, 28147 256,
    NULL 0.
 8. Forward secret: key exchange DHE, ECDHE, DHE_PSK, ECDHE_PSK, SRP_SHA, ECCPWD (each uses fresh ephemeral secrets),
    or a TLS 1.3 suite (rule 3). Not: RSA, DH, ECDH, PSK, RSA_PSK, KRB5, GOSTR341112_256 (RFC 9189 VKO uses the
    server's static key), NULL.
 9. Recommended: IANA's column as written (Y, N, D for discouraged, or empty); IsRecommended is Y.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IANA = os.path.join(HERE, "iana")
TSHARK = os.path.join(HERE, "tshark")
OUT = os.path.join(ROOT, "src", "HttpsFlow", "Tls", "Registry")
NAMESPACE = "HttpsFlow.Tls.Registry"

# tshark fields whose value tables are kept in data/tshark/ (file name = field name + ".csv").
TSHARK_FIELDS = [
    "tls.handshake.ciphersuite",
    "tls.handshake.extensions_supported_group",
    "tls.handshake.sig_hash_alg",
    "tls.handshake.sig_hash_hash",
    "tls.handshake.sig_hash_sig",
    "tls.handshake.extension.type",
    "tls.alert_message.desc",
    "tls.alert_message.level",
    "tls.handshake.type",
    "tls.record.content_type",
    "tls.handshake.extensions_ec_point_format",
    "tls.extension.psk_ke_mode",
    "tls.compress_certificate.algorithm",
    "tls.handshake.extensions.supported_version",
]

GREASE_NAME = "Reserved (GREASE)"


# ----------------------------------------------------------------------------------------------------------------
# Reading the data
# ----------------------------------------------------------------------------------------------------------------

def rel(path: str) -> str:
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def sha256_of(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_rows(path: str) -> list[dict[str, str]]:
    """Rows of a CSV as dicts; newline='' keeps IANA's CRLF records and LF-inside-quotes apart."""
    with open(path, newline="", encoding="utf-8") as f:
        return [dict(r) for r in csv.DictReader(f)]


def single_value(text: str) -> int | None:
    """The value of a row, or None when the row is a range ("42-255", "0x0000-0x0200", "0x01-09,*").

    Cipher suites are written as two bytes, "0xC0,0x2F"; other registries as decimal or 0x-hex numbers."""
    text = text.strip()
    m = re.fullmatch(r"0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})", text)
    if m:
        return int(m.group(1), 16) << 8 | int(m.group(2), 16)
    if re.fullmatch(r"0x[0-9A-Fa-f]+", text):
        return int(text, 16)
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    return None


def is_placeholder(name: str) -> bool:
    """IANA rows that name no value: Unassigned, Reserved ..., including RFC 8701's GREASE rows ("Reserved")."""
    return name.startswith("Unassigned") or name.startswith("Reserved")


def clean_name(name: str) -> str:
    """IANA's Description, minus the remarks some registries append: ' (renamed from "elliptic_curves")'."""
    return re.sub(r'\s*\(renamed from [^)]*\)', "", " ".join(name.split()))


@dataclass
class IanaRow:
    value: int
    name: str
    recommended: str | None
    reference: str | None
    dtls_ok: str | None
    source: str | None


def read_iana(path: str, name_column: str | None = None) -> list[IanaRow]:
    rows = read_rows(path)
    if not rows:
        raise SystemExit(f"{rel(path)}: no rows")
    columns = rows[0].keys()
    if name_column is None:
        name_column = next(c for c in ("Description", "Extension Name") if c in columns)
    out: dict[int, IanaRow] = {}
    for r in rows:
        value = single_value(r["Value"])
        name = clean_name(r[name_column] or "")
        if value is None or not name or is_placeholder(name):
            continue
        if value in out:
            raise SystemExit(f"{rel(path)}: value {value:#x} appears twice")
        out[value] = IanaRow(value, name, r.get("Recommended") or None, r.get("Reference") or None,
                             r.get("DTLS-OK") or None, r.get("Source") or None)
    return [out[v] for v in sorted(out)]


def read_tshark(field: str) -> tuple[str, dict[int, str]]:
    path = os.path.join(TSHARK, field + ".csv")
    table = {}
    for r in read_rows(path):
        table[int(r["Value"])] = r["Name"]
    return path, table


def tshark_version() -> str:
    with open(os.path.join(TSHARK, "VERSION"), encoding="utf-8") as f:
        return f.read().strip()


def tshark_base(field: str) -> str:
    for r in read_rows(os.path.join(TSHARK, "fields.csv")):
        if r["Field"] == field:
            return r["Base"]
    raise SystemExit(f"data/tshark/fields.csv has no row for {field}")


# ----------------------------------------------------------------------------------------------------------------
# Refreshing data/tshark from the installed tshark
# ----------------------------------------------------------------------------------------------------------------

def refresh_tshark() -> None:
    env = dict(os.environ, LC_ALL="C.UTF-8")
    values = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True, env=env, check=True).stdout
    fields = subprocess.run(["tshark", "-G", "fields"], capture_output=True, text=True, env=env, check=True).stdout
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True, env=env, check=True).stdout
    os.makedirs(TSHARK, exist_ok=True)
    with open(os.path.join(TSHARK, "VERSION"), "w", newline="\n", encoding="utf-8") as f:
        f.write(version.splitlines()[0].strip() + "\n")

    # `-G values` lists a field's value_string once per registration of the field name; tls.handshake.type is
    # registered twice (SSLv2's message types, then TLS's), so each field's rows are cut into runs where a value
    # repeats, and the longest run is kept (the TLS table). Within a run the first name of a value wins, as in
    # Wireshark's val_to_str().
    runs: dict[str, list[list[tuple[int, str]]]] = {}
    for line in values.splitlines():
        p = line.split("\t")
        if len(p) < 4 or p[0] != "V" or p[1] not in TSHARK_FIELDS:
            continue
        v = int(p[2], 16) if p[2].startswith("0x") else int(p[2])
        field_runs = runs.setdefault(p[1], [[]])
        if any(v == seen for seen, _ in field_runs[-1]):
            field_runs.append([])
        field_runs[-1].append((v, p[3]))
    for field in TSHARK_FIELDS:
        best = max(runs.get(field, [[]]), key=len)
        if not best:
            raise SystemExit(f"tshark -G values has no value table for {field}")
        table: dict[int, str] = {}
        for v, name in best:
            table.setdefault(v, name)
        with open(os.path.join(TSHARK, field + ".csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["Value", "Name"])
            for v in sorted(table):
                w.writerow([v, table[v]])

    with open(os.path.join(TSHARK, "fields.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Field", "Type", "Base", "Label"])
        rows = {}
        for line in fields.splitlines():
            p = line.split("\t")
            if len(p) >= 6 and p[0] == "F" and p[2] in TSHARK_FIELDS:
                rows.setdefault(p[2], [p[2], p[3], p[5], p[1]])
        for field in TSHARK_FIELDS:
            w.writerow(rows[field])


# ----------------------------------------------------------------------------------------------------------------
# Cipher suite decomposition (the rules are in the module docstring)
# ----------------------------------------------------------------------------------------------------------------

HASH_TOKENS = {"MD5", "SHA", "SHA256", "SHA384", "SHA512", "SM3", "OMAC", "IMIT", "ASCONHASH256", "NULL"}

KX_TABLE = {
    "RSA": ("RSA", "RSA"),
    "DH_DSS": ("DH", "DSS"), "DH_RSA": ("DH", "RSA"),
    "DHE_DSS": ("DHE", "DSS"), "DHE_RSA": ("DHE", "RSA"),
    "DH_anon": ("DH", "anon"),
    "ECDH_ECDSA": ("ECDH", "ECDSA"), "ECDH_RSA": ("ECDH", "RSA"),
    "ECDHE_ECDSA": ("ECDHE", "ECDSA"), "ECDHE_RSA": ("ECDHE", "RSA"),
    "ECDH_anon": ("ECDH", "anon"),
    "PSK": ("PSK", "PSK"),
    "DHE_PSK": ("DHE_PSK", "PSK"), "PSK_DHE": ("DHE_PSK", "PSK"),
    "ECDHE_PSK": ("ECDHE_PSK", "PSK"),
    "RSA_PSK": ("RSA_PSK", "RSA+PSK"),
    "KRB5": ("KRB5", "KRB5"),
    "SRP_SHA": ("SRP_SHA", "SRP"), "SRP_SHA_RSA": ("SRP_SHA", "RSA"), "SRP_SHA_DSS": ("SRP_SHA", "DSS"),
    "ECCPWD": ("ECCPWD", "ECCPWD"),
    "GOSTR341112_256": ("GOSTR341112_256", "GOSTR341112_256"),
    "NULL": ("NULL", "NULL"),
}

FORWARD_SECRET_KX = {"DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "SRP_SHA", "ECCPWD", "any"}

AEAD_MODES = {"GCM", "CCM", "CCM_8", "POLY1305", "MGM", "AEGIS", "ASCON"}

KEY_BITS = [  # (prefix of the cipher, bits) for ciphers whose name carries no key length
    ("3DES_EDE", 168), ("DES_", 56), ("IDEA", 128), ("SEED", 128), ("CHACHA20", 256), ("SM4", 128),
    ("KUZNYECHIK", 256), ("MAGMA", 256), ("28147", 256), ("NULL", 0),
]


@dataclass
class Suite:
    value: int
    iana: str
    tshark: str | None
    kx: str
    auth: str
    cipher: str
    mode: str
    bits: int
    hash: str
    aead: bool
    encrypts: bool
    tls13: bool
    export: bool
    scsv: bool
    fs: bool
    recommended: str
    dtls_ok: str
    reference: str


def cipher_mode(cipher: str) -> str:
    tokens = cipher.split("_")
    if cipher.endswith("_GCM"):
        return "GCM"
    if cipher.endswith("_CCM_8"):
        return "CCM_8"
    if cipher.endswith("_CCM"):
        return "CCM"
    if cipher == "CHACHA20_POLY1305":
        return "POLY1305"
    if cipher.endswith("_MGM_L") or cipher.endswith("_MGM_S"):
        return "MGM"
    if cipher.startswith("AEGIS"):
        return "AEGIS"
    if cipher.startswith("ASCONAEAD"):
        return "ASCON"
    if cipher.endswith("_CTR"):
        return "CTR"
    if cipher == "28147_CNT":
        return "CNT"
    if "CBC" in tokens or cipher.startswith("DES40_CBC"):
        return "CBC"
    if cipher.startswith("RC4"):
        return "stream"
    if cipher == "NULL":
        return "none"
    raise SystemExit(f"cipher suite decomposition: no mode rule for cipher {cipher}")


def key_bits(cipher: str) -> int:
    m = re.search(r"(?:^|_)(?:DES)?(40|56|128|168|256)L?(?:_|$)", cipher) or re.match(r"DES(40)_", cipher)
    if m:
        return int(m.group(1))
    m = re.match(r"ASCONAEAD(128)", cipher)
    if m:
        return int(m.group(1))
    for prefix, bits in KEY_BITS:
        if cipher.startswith(prefix) or cipher == prefix.rstrip("_"):
            return bits
    raise SystemExit(f"cipher suite decomposition: no key length rule for cipher {cipher}")


def split_bulk(bulk: str, tls13: bool) -> tuple[str, str]:
    tokens = bulk.split("_")
    if len(tokens) >= 2 and tokens[-1] in HASH_TOKENS:
        cipher, hash_ = "_".join(tokens[:-1]), tokens[-1]
        if cipher in HASH_TOKENS:  # RFC 9150: TLS_SHA256_SHA256, integrity only
            cipher = "NULL"
        return cipher, hash_
    if bulk.endswith("_CCM") or bulk.endswith("_CCM_8"):
        return bulk, "SHA256"
    if bulk.endswith("_MGM_L") or bulk.endswith("_MGM_S"):
        return bulk, "GOSTR341112_256"
    raise SystemExit(f"cipher suite decomposition: cannot split {bulk} into cipher and hash")


def decompose(row: IanaRow, tshark: dict[int, str]) -> Suite | None:
    name = row.name
    if not name.startswith("TLS_"):
        return None
    common = dict(value=row.value, iana=name, tshark=tshark.get(row.value), recommended=row.recommended or "",
                  dtls_ok=row.dtls_ok or "", reference=row.reference or "")
    if name.endswith("_SCSV"):
        return Suite(kx="", auth="", cipher="", mode="", bits=0, hash="", aead=False, encrypts=False, tls13=False,
                     export=False, scsv=True, fs=False, **common)
    body = name[len("TLS_"):]
    export = False
    if "_WITH_" not in body or re.search(r"_MGM_[LS]$", body):
        tls13 = True
        kx = auth = "any"
        bulk = body.split("_WITH_", 1)[1] if "_WITH_" in body else body
    else:
        tls13 = False
        kx_part, bulk = body.split("_WITH_", 1)
        if "_EXPORT" in kx_part:
            export = True
            kx_part = kx_part.replace("_EXPORT", "")
        if kx_part not in KX_TABLE:
            raise SystemExit(f"cipher suite decomposition: no key exchange rule for {name}")
        kx, auth = KX_TABLE[kx_part]
    cipher, hash_ = split_bulk(bulk, tls13)
    mode = cipher_mode(cipher)
    integrity_only = tls13 and cipher == "NULL"
    aead = mode in AEAD_MODES or integrity_only
    return Suite(kx=kx, auth=auth, cipher=cipher, mode=mode, bits=key_bits(cipher), hash=hash_, aead=aead,
                 encrypts=cipher != "NULL", tls13=tls13, export=export, scsv=False, fs=kx in FORWARD_SECRET_KX,
                 **common)


# ----------------------------------------------------------------------------------------------------------------
# Writing C#
# ----------------------------------------------------------------------------------------------------------------

def cs(text: str | None) -> str:
    if text is None:
        return "null"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cs_bool(b: bool) -> str:
    return "true" if b else "false"


def xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def identifier(name: str) -> str:
    """A C# constant name for an IANA name: server_name -> ServerName, x25519 -> X25519, http/1.1 -> Http11."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    ident = "".join(p[0].upper() + p[1:] for p in parts)
    if not ident:
        raise SystemExit(f"no identifier for {name!r}")
    return "_" + ident if ident[0].isdigit() else ident


def header(sources: list[str]) -> list[str]:
    lines = ["// <auto-generated>",
             "// Generated by data/generate.py. Do not edit: change the data under data/ and run `python3 data/generate.py`.",
             "// Sources (SHA-256 of the bytes each table was generated from):"]
    for s in sources:
        lines.append(f"//   {rel(s)}  sha256 {sha256_of(s)}")
    lines += ["// </auto-generated>", "", "#nullable enable", "", "using System.Collections.Frozen;", "",
              f"namespace {NAMESPACE};", ""]
    return lines


def source_constants(iana_path: str | None, tshark_path: str | None) -> list[str]:
    out = []
    if iana_path:
        out += [f"    /// <summary>The IANA data this class was generated from.</summary>",
                f"    public const string IanaSource = {cs(rel(iana_path))};",
                f"    /// <summary>SHA-256 of <see cref=\"IanaSource\"/>'s bytes when this class was generated.</summary>",
                f"    public const string IanaSourceSha256 = {cs(sha256_of(iana_path))};"]
    if tshark_path:
        out += [f"    /// <summary>The tshark value table this class was generated from ({xml(tshark_version().rstrip('.'))}).</summary>",
                f"    public const string TsharkSource = {cs(rel(tshark_path))};",
                f"    /// <summary>SHA-256 of <see cref=\"TsharkSource\"/>'s bytes when this class was generated.</summary>",
                f"    public const string TsharkSourceSha256 = {cs(sha256_of(tshark_path))};"]
    return out + [""]


@dataclass
class Spec:
    cls: str             # C# class name
    summary: str         # XML doc summary
    iana_file: str | None
    tshark_field: str | None
    width: int           # 8 or 16 bits
    grease: bool         # RFC 8701 values recognised
    describe: list[str] | None = None       # replaces the generated Describe (doc comment and member)
    members: list[str] | None = None        # further members, written after Describe
    sources: list[str] | None = None        # further data files the members were made from


def entry_rows(spec: Spec) -> tuple[list[tuple[int, str | None, str | None, IanaRow | None]], str | None, str | None]:
    iana_path = os.path.join(IANA, spec.iana_file) if spec.iana_file else None
    iana = {r.value: r for r in read_iana(iana_path)} if iana_path else {}
    tshark_path, tshark = read_tshark(spec.tshark_field) if spec.tshark_field else (None, {})
    values = sorted(set(iana) | set(tshark))
    return [(v, iana[v].name if v in iana else None, tshark.get(v), iana.get(v)) for v in values], iana_path, tshark_path


def write_simple(spec: Spec) -> tuple[str, str]:
    rows, iana_path, tshark_path = entry_rows(spec)
    t = "byte" if spec.width == 8 else "ushort"
    base = tshark_base(spec.tshark_field) if spec.tshark_field else "BASE_DEC"
    number_base = "NumberBase.Hex" if base == "BASE_HEX" else "NumberBase.Decimal"
    lines = header([p for p in (iana_path, tshark_path) if p] + (spec.sources or []))
    lines += [f"/// <summary>{spec.summary}</summary>",
              "/// <remarks>",
              "/// <see cref=\"IanaName\"/> is IANA's name; <see cref=\"TsharkName\"/> the text tshark prints (null where tshark",
              "/// does not know the value); <see cref=\"Describe\"/> tshark's whole text for the value, as the detail view",
              f"/// shows it (<c>{spec.tshark_field or 'no tshark field'}</c>, {'hexadecimal' if number_base.endswith('Hex') else 'decimal'}).",
              "/// </remarks>",
              f"public static partial class {spec.cls}", "{"]
    lines += source_constants(iana_path, tshark_path)
    seen = set()
    for v, iana_name, tshark_name, _ in rows:
        # Constants carry IANA's names; a table with no IANA registry (versions, alert levels) uses tshark's plain
        # names ("TLS 1.2" -> TLS12) and skips the qualified ones ("TLS 1.3 (draft 14)", "Reserved (GREASE)").
        const_name = iana_name if iana_path else (tshark_name if tshark_name and "(" not in tshark_name else None)
        if const_name is None:
            continue
        ident = identifier(const_name)
        if ident in seen or ident == spec.cls:
            raise SystemExit(f"{spec.cls}: identifier {ident} twice")
        seen.add(ident)
        shown = f"0x{v:04X}" if spec.width == 16 and number_base.endswith("Hex") else str(v)
        lines += [f"    /// <summary><c>{xml(const_name)}</c> ({shown}).</summary>",
                  f"    public const {t} {ident} = {shown};"]
    lines += ["",
              "    /// <summary>Every value IANA or tshark names, in value order.</summary>",
              "    public static IReadOnlyList<RegistryEntry> Entries => s_entries;", "",
              "    /// <summary>IANA's name for <paramref name=\"value\"/>, or null.</summary>",
              f"    public static string? IanaName({t} value) => s_iana.GetValueOrDefault(value);", "",
              "    /// <summary>The name tshark prints for <paramref name=\"value\"/>, or null where it prints \"Unknown\".</summary>",
              f"    public static string? TsharkName({t} value) => s_tshark.GetValueOrDefault(value);", ""]
    if spec.grease:
        lines += ["    /// <summary>True for the sixteen RFC 8701 GREASE values 0x0A0A, 0x1A1A, ... 0xFAFA.</summary>",
                  f"    public static bool IsGrease({t} value) => Grease.IsGrease(value);", "",
                  "    /// <summary>tshark's name, else IANA's, else \"Reserved (GREASE)\" for an RFC 8701 value, else null.</summary>",
                  f"    public static string? Name({t} value) => TsharkName(value) ?? IanaName(value) ?? (Grease.IsGrease(value) ? Grease.Name : null);", ""]
    else:
        lines += ["    /// <summary>tshark's name, else IANA's, else null.</summary>",
                  f"    public static string? Name({t} value) => TsharkName(value) ?? IanaName(value);", ""]
    if spec.describe is not None:
        lines += spec.describe + [""]
    else:
        example = next(((v, n) for v, _, n, _ in rows if n), (0, "Unknown"))
        ex_text = f"{example[1]} (0x{example[0]:04x})" if number_base.endswith("Hex") else f"{example[1]} ({example[0]})"
        lines += [f"    /// <summary>The text tshark prints for <paramref name=\"value\"/>: <c>{xml(ex_text)}</c>, or <c>Unknown (…)</c>.</summary>",
                  f"    public static string Describe({t} value) => RegistryText.Describe(TsharkName(value), value, {number_base});", ""]
    if spec.members:
        lines += spec.members + [""]
    lines += ["    private static readonly RegistryEntry[] s_entries =", "    ["]
    for v, iana_name, tshark_name, row in rows:
        rec = row.recommended if row else None
        ref = row.reference if row else None
        lines.append(f"        new({v}, {cs(iana_name)}, {cs(tshark_name)}, {cs(rec)}, {cs(ref)}),")
    lines += ["    ];", "",
              "    private static readonly FrozenDictionary<ushort, string> s_iana = RegistryEntry.IanaNames(s_entries);",
              "    private static readonly FrozenDictionary<ushort, string> s_tshark = RegistryEntry.TsharkNames(s_entries);",
              "}", ""]
    return spec.cls + ".g.cs", "\n".join(lines)


def write_cipher_suites() -> tuple[str, str]:
    iana_path = os.path.join(IANA, "tls-parameters-4.csv")
    tshark_path, tshark = read_tshark("tls.handshake.ciphersuite")
    suites = [s for s in (decompose(r, tshark) for r in read_iana(iana_path)) if s]
    lines = header([iana_path, tshark_path])
    lines += ["/// <summary>TLS cipher suites (IANA \"TLS Cipher Suites\", tls-parameters-4), each decomposed into its parts.</summary>",
              "/// <remarks>",
              "/// <see cref=\"Describe\"/> is tshark's text for <c>tls.handshake.ciphersuite</c>",
              "/// (<c>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)</c>); <see cref=\"Get\"/> returns the decomposition, made by",
              "/// data/generate.py from the IANA name with the rules written at the top of that script.",
              "/// </remarks>",
              "public static partial class CipherSuites", "{"]
    lines += source_constants(iana_path, tshark_path)
    for s in suites:
        lines += [f"    /// <summary><c>{s.iana}</c> (0x{s.value:04X}).</summary>",
                  f"    public const ushort {s.iana} = 0x{s.value:04X};"]
    lines += ["",
              "    /// <summary>Every suite IANA assigns, in value order.</summary>",
              "    public static IReadOnlyList<CipherSuiteInfo> All => s_all;", "",
              "    /// <summary>The suite <paramref name=\"value\"/> is, or null for a value IANA does not assign (GREASE included).</summary>",
              "    public static CipherSuiteInfo? Get(ushort value) => s_byValue.GetValueOrDefault(value);", "",
              "    /// <summary>IANA's name for <paramref name=\"value\"/>, or null.</summary>",
              "    public static string? IanaName(ushort value) => Get(value)?.IanaName;", "",
              "    /// <summary>The name tshark prints for <paramref name=\"value\"/>, or null where it prints \"Unknown\".</summary>",
              "    public static string? TsharkName(ushort value) => s_tshark.GetValueOrDefault(value);", "",
              "    /// <summary>True for the sixteen RFC 8701 GREASE values 0x0A0A, 0x1A1A, ... 0xFAFA.</summary>",
              "    public static bool IsGrease(ushort value) => Grease.IsGrease(value);", "",
              "    /// <summary>tshark's name, else IANA's, else \"Reserved (GREASE)\" for an RFC 8701 value, else null.</summary>",
              "    public static string? Name(ushort value) => TsharkName(value) ?? IanaName(value) ?? (Grease.IsGrease(value) ? Grease.Name : null);", "",
              "    /// <summary>The text tshark prints: <c>TLS_AES_128_GCM_SHA256 (0x1301)</c>, <c>Unknown (0x1a2b)</c>.</summary>",
              "    public static string Describe(ushort value) => RegistryText.Describe(TsharkName(value), value, NumberBase.Hex);", "",
              "    private static readonly CipherSuiteInfo[] s_all =", "    ["]
    for s in suites:
        lines.append(
            f"        new(0x{s.value:04X}, {cs(s.iana)}, {cs(s.tshark)}, {cs(s.kx)}, {cs(s.auth)}, {cs(s.cipher)}, {cs(s.mode)}, "
            f"{s.bits}, {cs(s.hash)}, isAead: {cs_bool(s.aead)}, encrypts: {cs_bool(s.encrypts)}, isTls13: {cs_bool(s.tls13)}, "
            f"isExport: {cs_bool(s.export)}, isSignaling: {cs_bool(s.scsv)}, isForwardSecret: {cs_bool(s.fs)}, "
            f"recommended: {cs(s.recommended)}, dtlsOk: {cs(s.dtls_ok)}, reference: {cs(s.reference)}),")
    lines += ["    ];", "",
              "    private static readonly FrozenDictionary<ushort, CipherSuiteInfo> s_byValue = s_all.ToFrozenDictionary(s => s.Value);", "",
              "    private static readonly FrozenDictionary<ushort, string> s_tshark = new KeyValuePair<ushort, string>[]",
              "    {"]
    for v in sorted(tshark):
        lines.append(f"        new(0x{v:04X}, {cs(tshark[v])}),")
    lines += ["    }.ToFrozenDictionary();", "}", ""]
    return "CipherSuites.g.cs", "\n".join(lines)


def signature_schemes_spec() -> Spec:
    # tshark prints a scheme it does not know as its two bytes read as TLS 1.2's (HashAlgorithm, SignatureAlgorithm)
    # pair: "Signature Algorithm: SHA256 Unknown (0x0420)", "Unknown Unknown (0x0a0a)".
    hash_path, hashes = read_tshark("tls.handshake.sig_hash_hash")
    sig_path, sigs = read_tshark("tls.handshake.sig_hash_sig")
    describe = [
        "    /// <summary>The text tshark prints: <c>rsa_pss_rsae_sha256 (0x0804)</c>; for a scheme it does not know, the two",
        "    /// bytes as TLS 1.2 hash and signature names, <c>SHA256 Unknown (0x0420)</c>, <c>Unknown Unknown (0x0a0a)</c>.</summary>",
        "    public static string Describe(ushort value) => TsharkName(value) is { } name",
        "        ? RegistryText.Describe(name, value, NumberBase.Hex)",
        "        : RegistryText.Describe((TsharkHashName((byte)(value >> 8)) ?? \"Unknown\") + \" \" + (TsharkSignatureName((byte)value) ?? \"Unknown\"), value, NumberBase.Hex);"]
    members = [
        "    /// <summary>tshark's name for a TLS 1.2 HashAlgorithm byte (<c>tls.handshake.sig_hash_hash</c>): SHA256 (4), or null.</summary>",
        "    public static string? TsharkHashName(byte hash) => s_hash.GetValueOrDefault(hash);", "",
        "    /// <summary>tshark's name for a TLS 1.2 SignatureAlgorithm byte (<c>tls.handshake.sig_hash_sig</c>): ECDSA (3), or null.</summary>",
        "    public static string? TsharkSignatureName(byte signature) => s_sig.GetValueOrDefault(signature);", "",
        "    private static readonly FrozenDictionary<byte, string> s_hash = new KeyValuePair<byte, string>[]", "    {"]
    members += [f"        new({v}, {cs(n)})," for v, n in sorted(hashes.items())]
    members += ["    }.ToFrozenDictionary();", "",
                "    private static readonly FrozenDictionary<byte, string> s_sig = new KeyValuePair<byte, string>[]", "    {"]
    members += [f"        new({v}, {cs(n)})," for v, n in sorted(sigs.items())]
    members += ["    }.ToFrozenDictionary();"]
    return Spec("SignatureSchemes",
                "TLS SignatureScheme values (IANA \"TLS SignatureScheme\"), as in signature_algorithms and CertificateVerify.",
                "tls-signaturescheme.csv", "tls.handshake.sig_hash_alg", 16, True,
                describe=describe, members=members, sources=[hash_path, sig_path])


NAMED_GROUP_MEMBERS = [
    "    /// <summary>The text tshark prints for a key_share group (<c>tls.handshake.extensions_key_share_group</c>, decimal):",
    "    /// <c>x25519 (29)</c>, <c>Unknown (4588)</c>.</summary>",
    "    public static string DescribeDecimal(ushort value) => RegistryText.Describe(TsharkName(value), value, NumberBase.Decimal);"]


def write_alpn() -> tuple[str, str]:
    path = os.path.join(IANA, "alpn-protocol-ids.csv")
    rows = []
    for r in read_rows(path):
        seq = r["Identification Sequence"]
        hexes = re.findall(r"0x([0-9A-Fa-f]{2})", seq.split("(")[0])
        ident = bytes(int(h, 16) for h in hexes)
        proto = " ".join(r["Protocol"].split())
        # IANA lists RFC 8701's GREASE strings ({0x0A,0x0A} ...) as Reserved rows; Grease recognises those.
        if not ident or is_placeholder(proto) or not all(0x21 <= b < 0x7F for b in ident):
            continue
        rows.append((ident, proto, r.get("Reference") or None))
    rows.sort(key=lambda x: x[0])
    lines = header([path])
    lines += ["/// <summary>TLS Application-Layer Protocol Negotiation (ALPN) protocol IDs (IANA, RFC 7301).</summary>",
              "/// <remarks>tshark prints ALPN strings as they are (<c>ALPN Next Protocol: h2</c>) and names none of them; the",
              "/// protocol names here are IANA's, for the walkthrough.</remarks>",
              "public static partial class AlpnProtocols", "{"]
    lines += source_constants(path, None)
    seen = set()
    for ident, proto, _ in rows:
        text = ident.decode("ascii")
        cid = identifier(text)
        if cid in seen:
            raise SystemExit(f"AlpnProtocols: identifier {cid} twice")
        seen.add(cid)
        lines += [f"    /// <summary><c>{xml(text)}</c>: {xml(proto)}.</summary>",
                  f"    public const string {cid} = {cs(text)};"]
    lines += ["",
              "    /// <summary>Every registered identification sequence, in byte order.</summary>",
              "    public static IReadOnlyList<AlpnProtocolEntry> Entries => s_entries;", "",
              "    /// <summary>IANA's protocol name for the identification sequence <paramref name=\"id\"/> (\"HTTP/2 over TLS\" for",
              "    /// <c>h2</c>), \"Reserved (GREASE)\" for an RFC 8701 value, or null.</summary>",
              "    public static string? Name(ReadOnlySpan<byte> id)",
              "    {",
              "        foreach (var e in s_entries)",
              "        {",
              "            if (id.SequenceEqual(e.Id.Span)) return e.Protocol;",
              "        }",
              "        return Grease.IsGrease(id) ? Grease.Name : null;",
              "    }", "",
              "    /// <summary>True for the RFC 8701 identification sequences {0x0A,0x0A}, {0x1A,0x1A}, ... {0xFA,0xFA}.</summary>",
              "    public static bool IsGrease(ReadOnlySpan<byte> id) => Grease.IsGrease(id);", "",
              "    private static readonly AlpnProtocolEntry[] s_entries =", "    ["]
    for ident, proto, ref in rows:
        byte_list = ", ".join(f"0x{b:02x}" for b in ident)
        lines.append(f"        new(new byte[] {{ {byte_list} }}, {cs(proto)}, {cs(ref)}),")
    lines += ["    ];", "}", ""]
    return "AlpnProtocols.g.cs", "\n".join(lines)


SIMPLE = [
    Spec("NamedGroups", "TLS supported groups (IANA \"TLS Supported Groups\", tls-parameters-8): named curves, finite-field and hybrid groups.",
         "tls-parameters-8.csv", "tls.handshake.extensions_supported_group", 16, True, members=NAMED_GROUP_MEMBERS),
    Spec("ExtensionTypes", "TLS extension types (IANA \"TLS ExtensionType Values\", tls-extensiontype-values-1).",
         "tls-extensiontype-values-1.csv", "tls.handshake.extension.type", 16, True),
    Spec("AlertDescriptions", "TLS alert descriptions (IANA \"TLS Alerts\", tls-parameters-6).",
         "tls-parameters-6.csv", "tls.alert_message.desc", 8, False),
    Spec("AlertLevels", "TLS alert levels (RFC 8446 Section 6; no IANA registry): warning (1), fatal (2).",
         None, "tls.alert_message.level", 8, False),
    Spec("HandshakeTypes", "TLS handshake message types (IANA \"TLS HandshakeType\", tls-parameters-7).",
         "tls-parameters-7.csv", "tls.handshake.type", 8, False),
    Spec("ContentTypes", "TLS record content types (IANA \"TLS ContentType\", tls-parameters-5).",
         "tls-parameters-5.csv", "tls.record.content_type", 8, False),
    Spec("EcPointFormats", "TLS EC point formats (IANA \"TLS EC Point Formats\", tls-parameters-9).",
         "tls-parameters-9.csv", "tls.handshake.extensions_ec_point_format", 8, False),
    Spec("PskKeyExchangeModes", "TLS 1.3 PSK key exchange modes (IANA \"TLS PskKeyExchangeMode\").",
         "tls-pskkeyexchangemode.csv", "tls.extension.psk_ke_mode", 8, False),
    Spec("CertificateCompressionAlgorithms", "TLS certificate compression algorithm IDs (IANA, RFC 8879).",
         "tls-certificate-compression-algorithm-ids.csv", "tls.compress_certificate.algorithm", 16, False),
    Spec("TlsVersions", "Protocol versions as tshark names them (record, hello and supported_versions fields); no IANA registry.",
         None, "tls.handshake.extensions.supported_version", 16, True),
]


def generate() -> dict[str, str]:
    files = dict([write_cipher_suites(), write_alpn()])
    for spec in SIMPLE + [signature_schemes_spec()]:
        name, text = write_simple(spec)
        files[name] = text
    return files


def report_differences() -> None:
    """Prints where IANA's name and tshark's differ, for data/README.md; informational only."""
    pairs = [("tls-parameters-4.csv", "tls.handshake.ciphersuite"),
             ("tls-parameters-8.csv", "tls.handshake.extensions_supported_group"),
             ("tls-signaturescheme.csv", "tls.handshake.sig_hash_alg"),
             ("tls-extensiontype-values-1.csv", "tls.handshake.extension.type"),
             ("tls-parameters-6.csv", "tls.alert_message.desc"),
             ("tls-parameters-7.csv", "tls.handshake.type"),
             ("tls-parameters-5.csv", "tls.record.content_type"),
             ("tls-parameters-9.csv", "tls.handshake.extensions_ec_point_format"),
             ("tls-pskkeyexchangemode.csv", "tls.extension.psk_ke_mode"),
             ("tls-certificate-compression-algorithm-ids.csv", "tls.compress_certificate.algorithm")]
    for csv_name, field in pairs:
        iana = {r.value: r.name for r in read_iana(os.path.join(IANA, csv_name))}
        _, tshark = read_tshark(field)
        differ = [v for v in sorted(set(iana) & set(tshark)) if iana[v] != tshark[v]]
        only_iana = [v for v in sorted(iana) if v not in tshark]
        only_tshark = [v for v in sorted(tshark) if v not in iana and not (v >= 0x0A0A and (v & 0x0F0F) == 0x0A0A and v >> 8 == v & 0xFF)]
        print(f"{csv_name} vs {field}: {len(differ)} names differ, {len(only_iana)} only in IANA, {len(only_tshark)} only in tshark")
        for v in differ:
            print(f"    {v:#06x}  IANA {iana[v]!r}  tshark {tshark[v]!r}")
        if only_iana:
            print("    only IANA: " + ", ".join(f"{v:#x} {iana[v]}" for v in only_iana))
        if only_tshark:
            print("    only tshark: " + ", ".join(f"{v:#x} {tshark[v]}" for v in only_tshark))


def main(argv: list[str]) -> int:
    if "--tshark" in argv:
        refresh_tshark()
    files = generate()
    if "--report" in argv:
        report_differences()
    if "--check" in argv:
        stale = []
        for name, text in sorted(files.items()):
            path = os.path.join(OUT, name)
            current = open(path, encoding="utf-8", newline="").read() if os.path.exists(path) else None
            if current != text:
                stale.append(rel(path))
        for p in stale:
            print(f"out of date: {p}", file=sys.stderr)
        return 1 if stale else 0
    out = argv[argv.index("--out") + 1] if "--out" in argv else OUT
    os.makedirs(out, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    print(f"wrote {len(files)} files to {rel(out) if out == OUT else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
