#!/usr/bin/env bash
# make-lossy-capture.sh - record one long HTTPS download with heavy packet
# loss between two network namespaces, for measuring HttpsFlow's time and
# memory on a capture full of retransmissions, duplicate ACKs and SACKs.
#
# Usage:  sudo bench/make-lossy-capture.sh [--full] [OUT] [MB] [LOSS%]
#         OUT     default bench/data/lossy-large.pcap (bench/data/ is git-ignored)
#                 (with --full: bench/data/lossy-full.pcap)
#         MB      size of the downloaded file in megabytes, default 400
#                 (with --full: 20)
#         LOSS%   packets dropped in each direction, default 3 (0 to 50, at
#                 most one decimal, e.g. 0.5)
#         --full  capture whole packets (tcpdump -s 0) instead of headers only;
#                 meant for a smaller transfer, the file is about as large as
#                 the download
#
# Two network namespaces, hf-bench-c (10.78.0.1) and hf-bench-s (10.78.0.2),
# are joined by a veth pair with segmentation offloads off (MTU-sized
# packets).  nginx in hf-bench-s serves a file of MB megabytes over TLS 1.3;
# curl --tlsv1.3 -k in hf-bench-c downloads it to /dev/null.  nftables drops
# LOSS% of the packets on the receiving side of each namespace (input hook:
# server->client packets in hf-bench-c, client->server packets in
# hf-bench-s), as samples/make-samples.sh does for lossy.pcap - a packet
# dropped by the sender's own netfilter would just be sent again and never
# show up as loss.  This kernel has no tc netem, so there is no added delay
# or reordering.  tcpdump captures on the client's veth end, before the
# client's input hook: every dropped packet is in the capture once, followed
# by the duplicate ACKs/SACKs and the retransmission.
#
# By default tcpdump keeps the first 128 bytes of each packet (-s 128):
# Ethernet, IP and TCP headers with options and the start of the TLS record,
# not the encrypted payload.  This keeps a 400 MB download at some tens of MB
# of capture instead of more than 400 MB.  Tools see the truncated packets as
# such (frame length larger than captured length).
#
# Both namespaces (and all processes in them) are removed at exit; no packet
# leaves the machine.  curl's TLS secrets go to OUT with .pcap replaced by
# .keys.  At the end: capinfos and the number of packets that
# `tshark -Y tcp.analysis.retransmission` marks as retransmissions.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FULL=0
if [[ ${1:-} == --full ]]; then FULL=1; shift; fi
if ((FULL)); then
    OUT=${1:-$BENCH_DIR/data/lossy-full.pcap}
    MB=${2:-20}
    SNAPLEN=0
else
    OUT=${1:-$BENCH_DIR/data/lossy-large.pcap}
    MB=${2:-400}
    SNAPLEN=128
fi
LOSS=${3:-3}
NS_C=hf-bench-c
NS_S=hf-bench-s
IF_C=hfbc0
IF_S=hfbs0
ADDR_C=10.78.0.1
ADDR_S=10.78.0.2
PORT=443
HOST=lossy.httpsflow.example

die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
log()  { printf '==> %s\n' "$*" >&2; }

[[ $MB =~ ^[1-9][0-9]*$ ]] || die "MB must be a positive number, not '$MB'"
[[ $LOSS =~ ^[0-9]+(\.[0-9])?$ ]] || die "LOSS% must be a number with at most one decimal, not '$LOSS'"
PERMILLE=$(awk -v l="$LOSS" 'BEGIN {printf "%d", l * 10 + 0.5}')
((PERMILLE <= 500)) || die "LOSS% must be at most 50, not '$LOSS'"
[[ $(id -u) -eq 0 ]] || die "run as root (sudo $0): network namespaces and capturing need it"
missing=()
for tool in nginx:nginx-light curl:curl tcpdump:tcpdump capinfos:wireshark-common tshark:tshark \
    openssl:openssl ip:iproute2 nft:nftables ethtool:ethtool; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
((${#missing[@]} == 0)) || die "missing tools; install them with: apt-get install -y ${missing[*]}"
for ns in "$NS_C" "$NS_S"; do
    [[ ! -e /run/netns/$ns ]] || die "network namespace $ns already exists (another run?); remove it with: ip netns del $ns"
done

mkdir -p "$(dirname "$OUT")"
OUT="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
KEYS="${OUT%.pcap}.keys"
[[ $KEYS != "$OUT" ]] || KEYS="$OUT.keys"

WORK="$(mktemp -d /tmp/httpsflow-lossy.XXXXXX)"
chmod 755 "$WORK"              # nginx workers (user nobody) read the docroot
PIDS=()
NETNS_CREATED=0
cleanup() {
    local rc=$? pid
    set +e
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
    if ((NETNS_CREATED)); then
        ip netns del "$NS_C" 2>/dev/null
        ip netns del "$NS_S" 2>/dev/null
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- certificate (throw-away, self-signed; curl runs with -k) and content ----
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$HOST" \
    -addext "subjectAltName=DNS:$HOST" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/www" "$WORK/tmp" "$WORK/logs"
chmod 755 "$WORK/www"
# A sparse file: no disk space, and the bytes on the wire are TLS ciphertext
# either way.
truncate -s "${MB}M" "$WORK/www/big.bin"
chmod 644 "$WORK/www/big.bin"

# --- namespaces, veth pair, packet loss ----------------------------------------
NETNS_CREATED=1
ip netns add "$NS_C"
ip netns add "$NS_S"
ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S"
ip -n "$NS_C" addr add "$ADDR_C/24" dev "$IF_C"
ip -n "$NS_S" addr add "$ADDR_S/24" dev "$IF_S"
for ns in "$NS_C" "$NS_S"; do ip -n "$ns" link set lo up; done
ip -n "$NS_C" link set "$IF_C" up
ip -n "$NS_S" link set "$IF_S" up
ip netns exec "$NS_C" ethtool -K "$IF_C" tso off gso off gro off >/dev/null 2>&1 || warn "could not turn off offloads on $IF_C"
ip netns exec "$NS_S" ethtool -K "$IF_S" tso off gso off gro off >/dev/null 2>&1 || warn "could not turn off offloads on $IF_S"

ip netns exec "$NS_C" nft -f - <<EOF
table inet hf_loss {
    chain in { type filter hook input priority 0; policy accept;
        tcp sport $PORT numgen random mod 1000 < $PERMILLE counter drop
    }
}
EOF
ip netns exec "$NS_S" nft -f - <<EOF
table inet hf_loss {
    chain in { type filter hook input priority 0; policy accept;
        tcp dport $PORT numgen random mod 1000 < $PERMILLE counter drop
    }
}
EOF

cat >"$WORK/nginx.conf" <<EOF
# HttpsFlow lossy benchmark server (written by make-lossy-capture.sh)
user nobody nogroup;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    default_type application/octet-stream;
    send_timeout 600s;
    server {
        listen $ADDR_S:$PORT ssl;
        server_name $HOST;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.3;
        root $WORK/www;
    }
}
EOF
ip netns exec "$NS_S" nginx -t -q -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" || { cat "$WORK/logs/error.log" >&2; die "nginx config test failed"; }
ip netns exec "$NS_S" nginx -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
for _ in $(seq 100); do
    ip netns exec "$NS_S" bash -c "echo >/dev/tcp/$ADDR_S/$PORT" 2>/dev/null && break
    sleep 0.1
done
ip netns exec "$NS_S" bash -c "echo >/dev/tcp/$ADDR_S/$PORT" 2>/dev/null || die "nginx did not start"

# --- capture ---------------------------------------------------------------------
rm -f "$OUT" "$KEYS"
log "capturing a ${MB} MB TLS 1.3 download with ${LOSS}% loss each way into $OUT (tcpdump -s $SNAPLEN)"
ip netns exec "$NS_C" tcpdump -Z root -i "$IF_C" -s "$SNAPLEN" -B 65536 -w "$OUT" "tcp port $PORT" \
    2>"$WORK/tcpdump.log" &
TCPDUMP_PID=$!
PIDS+=("$TCPDUMP_PID")
for _ in $(seq 100); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done
grep -q 'listening on' "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; die "tcpdump did not start"; }
sleep 0.5

start=$(date +%s)
ip netns exec "$NS_C" env SSLKEYLOGFILE="$KEYS" curl -q -sS --noproxy '*' --max-time 3600 --tlsv1.3 -k \
    --resolve "$HOST:$PORT:$ADDR_S" -o /dev/null -w '%{size_download} %{http_code}\n' \
    "https://$HOST:$PORT/big.bin" >"$WORK/curl.out" || die "curl failed"
elapsed=$(($(date +%s) - start))
sleep 2                                  # last FIN/ACKs
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true

read -r got code <"$WORK/curl.out"
[[ $code == 200 && $got == $((MB * 1048576)) ]] || die "download incomplete: HTTP $code, $got bytes"
log "downloaded $got bytes in ${elapsed}s"
cat "$WORK/tcpdump.log" >&2
dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$WORK/tcpdump.log")
if [[ -z $dropped ]]; then
    warn "could not read tcpdump's 'dropped by kernel' count"
elif ((dropped > 0)); then
    warn "tcpdump reports $dropped packets dropped by kernel: the capture is incomplete; try again on an idle machine"
fi
for ns in "$NS_C" "$NS_S"; do
    n=$(ip netns exec "$ns" nft list table inet hf_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    log "packets dropped by nftables on input in $ns: ${n:-?}"
done

chown --reference="$(dirname "$OUT")" "$OUT" "$KEYS" 2>/dev/null || true
chmod 644 "$OUT" "$KEYS"
capinfos "$OUT"
mkdir -p "$WORK/home"                    # empty HOME: tshark reads no personal preferences
retrans=$(HOME="$WORK/home" tshark -n -r "$OUT" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)
echo "Retransmissions (tshark -Y tcp.analysis.retransmission): $retrans"
