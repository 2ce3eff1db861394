#!/usr/bin/env bash
# Makes samples/dtls/dtls12.pcap: one DTLS 1.2 connection between openssl s_server and openssl s_client on 127.0.0.1
# (UDP port 4433, which no protocol claims, so tshark finds DTLS with its heuristic), captured with tcpdump on the
# loopback interface; the client's key log goes to samples/dtls/dtls12.keys. Both ends keep datagrams under 600 bytes
# (-mtu), so the certificate chain travels as handshake fragments that the packet list shows as "(Fragment)" and
# "(Reassembled)". The client sends one line, "test", and the server echoes nothing back before both close.
# Uses the certificate chain in samples/pki. Run as root (tcpdump on lo):
#     sudo samples/make-dtls-sample.sh
# tests/golden/dtls/dtls12.pcap.list.txt is tshark's list of the result (tests/golden/make-golden.sh writes it).
# The capture lives apart from samples/ (whose goldens also hold every field and a decrypted list, which tshark's
# DTLS fills in and HttpsFlow's does not).
set -euo pipefail

SAMPLES_DIR=$(cd "$(dirname "$0")" && pwd)
PKI_DIR=$SAMPLES_DIR/pki
OUT=$SAMPLES_DIR/dtls/dtls12.pcap
KEYS=$SAMPLES_DIR/dtls/dtls12.keys
PORT=4433
WORK=$(mktemp -d)
SERVER_PID=""
CAPTURE_PID=""

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

cleanup() {
    [[ -n $CAPTURE_PID ]] && kill -INT "$CAPTURE_PID" 2>/dev/null || true
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || die "run as root (tcpdump on lo)"
for tool in openssl tcpdump; do command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y $tool)"; done

wait_for_text() { # FILE REGEX SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

log "dtls12.pcap (openssl s_server -dtls1_2 / s_client -dtls1_2, MTU 600)"
tcpdump -i lo -U -s 0 -w "$WORK/dtls12.pcap" "udp port $PORT" >"$WORK/tcpdump.log" 2>&1 &
CAPTURE_PID=$!
wait_for_text "$WORK/tcpdump.log" "listening on" 10 || die "tcpdump did not start"

openssl s_server -dtls1_2 -accept "127.0.0.1:$PORT" -mtu 600 \
    -cert "$PKI_DIR/leaf.pem" -key "$PKI_DIR/leaf.key" -cert_chain "$PKI_DIR/r3.pem" \
    >"$WORK/server.log" 2>&1 < <(sleep 30) & # s_server ends at the end of its input: keep it open
SERVER_PID=$!
wait_for_text "$WORK/server.log" "ACCEPT" 10 || die "s_server did not start"

# The client: handshake, one line, then close (Q ends s_client's session with a close_notify).
{ sleep 1; printf 'test\n'; sleep 1; printf 'Q\n'; sleep 0.5; } |
    timeout 10 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" -mtu 600 -servername test.httpsflow.example \
        -keylogfile "$WORK/dtls12.keys" -CAfile "$PKI_DIR/root.pem" >"$WORK/client.log" 2>&1 || true
wait_for_text "$WORK/server.log" "test" 5 || die "the server did not receive the line: $(cat "$WORK/client.log")"
sleep 0.5
kill -INT "$CAPTURE_PID"
wait "$CAPTURE_PID" 2>/dev/null || true
CAPTURE_PID=""

mkdir -p "$(dirname "$OUT")"
cp "$WORK/dtls12.pcap" "$OUT"
cp "$WORK/dtls12.keys" "$KEYS"
log "wrote $OUT ($(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets) and $KEYS"
