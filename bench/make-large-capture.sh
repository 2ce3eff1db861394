#!/usr/bin/env bash
# make-large-capture.sh - record a large capture of real HTTPS traffic on
# loopback, for benchmarking HttpsFlow against tshark.
#
# Usage:  sudo bench/make-large-capture.sh [OUT] [CONNECTIONS]
#         OUT          default bench/data/large.pcap (bench/data/ is git-ignored)
#         CONNECTIONS  default 3000 HTTPS connections
#
# nginx on 127.0.0.1:8443 (its own config in a temporary directory; TLS 1.2
# and 1.3; keep-alive off, so every request is its own TCP+TLS connection)
# serves /1k.bin, /16k.bin and /200k.bin.  curl, 4 in parallel, makes
# CONNECTIONS connections - half TLS 1.2 (--tlsv1.2 --tls-max 1.2), half
# TLS 1.3 (--tlsv1.3) - while `tcpdump -i lo -s 0 -B 65536 port 8443` writes
# OUT.  The clients' TLS secrets go to OUT with .pcap replaced by .keys.
# 3000 connections give roughly 100k packets and some tens of MB.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT=${1:-$BENCH_DIR/data/large.pcap}
CONNECTIONS=${2:-3000}
PORT=8443
HOST=bench.httpsflow.example
PARALLEL=4

die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
log()  { printf '==> %s\n' "$*" >&2; }

[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive number, not '$CONNECTIONS'"
[[ $(id -u) -eq 0 ]] || die "run as root (sudo $0): capturing on lo needs it"
missing=()
for tool in nginx:nginx-light curl:curl tcpdump:tcpdump capinfos:wireshark-common openssl:openssl xargs:findutils; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
((${#missing[@]} == 0)) || die "missing tools; install them with: apt-get install -y ${missing[*]}"
if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "something already listens on 127.0.0.1:$PORT; stop it first"
fi

mkdir -p "$(dirname "$OUT")"
OUT="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
KEYS="${OUT%.pcap}.keys"
[[ $KEYS != "$OUT" ]] || KEYS="$OUT.keys"

WORK="$(mktemp -d /tmp/httpsflow-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local rc=$? pid
    set +e
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- certificate (throw-away, self-signed) and content -----------------------
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$HOST" \
    -addext "subjectAltName=DNS:$HOST" -addext "basicConstraints=critical,CA:TRUE" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/www" "$WORK/tmp" "$WORK/logs"
chmod 755 "$WORK/www"
openssl rand -out "$WORK/www/1k.bin" 1024
openssl rand -out "$WORK/www/16k.bin" 16384
openssl rand -out "$WORK/www/200k.bin" 204800
chmod 644 "$WORK/www"/*.bin

cat >"$WORK/nginx.conf" <<EOF
# HttpsFlow benchmark server (written by make-large-capture.sh)
user nobody nogroup;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    default_type application/octet-stream;
    keepalive_timeout 0;
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name $HOST;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        # Small TLS records (one fits a 1500-byte packet; servers with
        # dynamic record sizing start like this): more, smaller TCP segments,
        # closer to traffic on a real link than loopback's 64 KB segments.
        ssl_buffer_size 1400;
        root $WORK/www;
    }
}
EOF
nginx -t -q -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" || { cat "$WORK/logs/error.log" >&2; die "nginx config test failed"; }
nginx -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
(echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || die "nginx did not start"

# --- job list: one curl run per line, 1 or 2 URLs (= connections) each -------
# Sizes: 50% 1 KB, 42% 16 KB, 8% 200 KB.  Fixed seed: same mix every time.
RANDOM=20240
pick_url() {
    local r=$((RANDOM % 100))
    if ((r < 50)); then echo /1k.bin; elif ((r < 92)); then echo /16k.bin; else echo /200k.bin; fi
}
left=$CONNECTIONS
: >"$WORK/jobs"
while ((left > 0)); do
    if ((RANDOM % 2)); then tls=1.2; else tls=1.3; fi
    if ((left >= 2 && RANDOM % 2)); then
        echo "$tls $(pick_url) $(pick_url)" >>"$WORK/jobs"; left=$((left - 2))
    else
        echo "$tls $(pick_url)" >>"$WORK/jobs"; left=$((left - 1))
    fi
done

cat >"$WORK/fetch.sh" <<EOF
#!/usr/bin/env bash
# fetch.sh TLS-VERSION PATH [PATH]: one curl run, one connection per PATH
tls=\$1; shift
if [[ \$tls == 1.2 ]]; then ver=(--tlsv1.2 --tls-max 1.2); else ver=(--tlsv1.3); fi
args=()
for p in "\$@"; do args+=(-o /dev/null "https://$HOST:$PORT\$p"); done
SSLKEYLOGFILE="$KEYS" exec curl -q -sS --noproxy '*' --max-time 60 "\${ver[@]}" \\
    --resolve "$HOST:$PORT:127.0.0.1" --cacert "$WORK/cert.pem" "\${args[@]}"
EOF
chmod +x "$WORK/fetch.sh"

# --- capture --------------------------------------------------------------------
rm -f "$OUT" "$KEYS"
log "capturing $CONNECTIONS connections ($(wc -l <"$WORK/jobs") curl runs, $PARALLEL in parallel) into $OUT"
tcpdump -Z root -i lo -s 0 -B 65536 -w "$OUT" "tcp port $PORT" 2>"$WORK/tcpdump.log" &
TCPDUMP_PID=$!
PIDS+=("$TCPDUMP_PID")
for _ in $(seq 100); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done
grep -q 'listening on' "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; die "tcpdump did not start"; }
sleep 0.5

start=$(date +%s)
failed=0
xargs -P "$PARALLEL" -L 1 "$WORK/fetch.sh" <"$WORK/jobs" || failed=1
elapsed=$(($(date +%s) - start))
sleep 2                                  # last FIN/ACKs
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
((failed == 0)) || warn "some curl runs failed (see messages above)"

cat "$WORK/tcpdump.log" >&2
dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$WORK/tcpdump.log")
if [[ -z $dropped ]]; then
    warn "could not read tcpdump's 'dropped by kernel' count"
elif ((dropped > 0)); then
    warn "tcpdump reports $dropped packets dropped by kernel: the capture is incomplete; try again on an idle machine"
fi

syns=$(tcpdump -r "$OUT" -nn 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | wc -l)
((syns == CONNECTIONS)) || warn "expected $CONNECTIONS connections, the capture has $syns SYNs"
log "made $syns connections in ${elapsed}s; key log: $KEYS"
capinfos -t -E -c -s -d -u "$OUT"
chown --reference="$(dirname "$OUT")" "$OUT" "$KEYS" 2>/dev/null || true
chmod 644 "$OUT" "$KEYS"
