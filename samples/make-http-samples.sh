#!/usr/bin/env bash
# make-http-samples.sh - record the HTTP/1.1 and HTTP/2 over TLS sample captures in samples/http/.
#
# nginx (its own temporary config, HTTP/2 on, TLS 1.2 and 1.3) serves a small site on 127.0.0.1:443; curl and
# openssl s_client fetch from it and write their TLS secrets to a key log (SSLKEYLOGFILE, -keylogfile); dumpcap
# captures on the loopback interface, filtered to tcp port 443. Everything runs inside a network namespace made
# by this script (hf-http, removed at exit) whose loopback interface has an Ethernet-sized MTU (1500) and no
# segmentation offloads, so that large responses show up as many ordinary TCP segments rather than a few 64 KB
# loopback packets. No packet leaves the machine. The certificate chain is the one in samples/pki.
#
# Usage:  sudo samples/make-http-samples.sh [NAME...]
#
# Every capture NAME.pcapng has its key log NAME.keys beside it. With arguments, only the named samples are
# made (sudo samples/make-http-samples.sh h2-multi). It never touches the other samples.
set -euo pipefail

SAMPLES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKI_DIR=$SAMPLES_DIR/pki
OUT_DIR=$SAMPLES_DIR/http
HOST=test.httpsflow.example
PORT=443
NETNS=hf-http
BASE=https://$HOST

ONLY=" $* "
want() { [[ $ONLY == "  " || $ONLY == *" $1 "* ]]; }

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (sudo $0): network namespace, capture and port 443 need it"
for tool in nginx curl openssl dumpcap tshark capinfos ip python3 seq; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
nginx -V 2>&1 | grep -q -- '--with-http_v2_module' || die "this nginx has no HTTP/2 module"
curl --version | grep -q 'nghttp2' || die "this curl has no HTTP/2 support"
[[ -f $PKI_DIR/fullchain.pem && -f $PKI_DIR/leaf.key ]] || die "no certificate chain in $PKI_DIR; run make-samples.sh first"

WORK="$(mktemp -d /tmp/httpsflow-http-samples.XXXXXX)"
chmod 755 "$WORK"              # nginx workers (user nobody) read the docroot
NGINX_PID=""
CAP_PID=""
CAP_LOG=""
NETNS_CREATED=0

cleanup() {
    local rc=$?
    set +e
    [[ -n $CAP_PID ]] && { kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }
    if [[ -n $NGINX_PID ]]; then
        kill -QUIT "$NGINX_PID" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$NGINX_PID" 2>/dev/null
        wait "$NGINX_PID" 2>/dev/null
    fi
    ((NETNS_CREATED)) && ip netns del "$NETNS" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Background processes are started with "ip netns exec" itself (which execs the program), never through a
# shell function, so that $! is the program's own pid and signals reach it.
in_ns() { ip netns exec "$NETNS" "$@"; }

wait_for_text() { # FILE REGEX SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --------------------------------------------------------------------------
# The network namespace: only a loopback interface, MTU 1500, offloads off.
# --------------------------------------------------------------------------
make_netns() {
    log "network namespace $NETNS (lo, MTU 1500, no segmentation offloads)"
    ip netns del "$NETNS" 2>/dev/null || true
    ip netns add "$NETNS"
    NETNS_CREATED=1
    ip -n "$NETNS" link set lo mtu 1500
    ip -n "$NETNS" link set lo up
    if command -v ethtool >/dev/null 2>&1; then
        in_ns ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || warn "ethtool could not turn offloads off"
    else
        warn "ethtool not found (apt-get install ethtool); captures will contain large offloaded segments"
    fi
}

# --------------------------------------------------------------------------
# The site.
#   /test.html     "test" (4 bytes, no newline)
#   /page.html     ~20 KB of HTML, sent gzip-compressed to clients that accept it (chunked in HTTP/1.1)
#   /medium.txt    ~50 KB of text, never compressed (Content-Length)
#   /big.txt       ~100 KB of text, never compressed
#   /deflate.txt   a zlib stream stored as is, sent with Content-Encoding: deflate
#   /echo          answers any method (POST included) with "ok\n"
#   anything else  404
# --------------------------------------------------------------------------
make_site() {
    local w=$WORK/www i
    mkdir -p "$w"
    printf 'test' >"$w/test.html"
    {
        printf '<!DOCTYPE html>\n<html>\n<head><title>HttpsFlow HTTP sample page</title></head>\n<body>\n<h1>HttpsFlow HTTP sample page</h1>\n<ul>\n'
        for ((i = 1; i <= 400; i++)); do printf '<li>HttpsFlow sample list item %03d</li>\n' "$i"; done
        printf '</ul>\n</body>\n</html>\n'
    } >"$w/page.html"
    seq -f 'HttpsFlow HTTP/1.1 sample line %06g' 1 1450 >"$w/medium.txt"
    seq -f 'HttpsFlow HTTP/2 sample line %06g' 1 3000 >"$w/big.txt"
    seq -f 'HttpsFlow deflate sample line %04g' 1 200 >"$WORK/deflate-plain.txt"
    python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read(), 9))' \
        "$WORK/deflate-plain.txt" >"$w/deflate.txt"
    chmod 755 "$w"
    chmod 644 "$w"/*
    mkdir -p "$WORK/dav/upload"
    chown nobody:nogroup "$WORK/dav/upload"       # nginx workers write the PUT uploads there
}

start_nginx() {
    local n=$WORK/nginx
    mkdir -p "$n/tmp" "$n/logs"
    cat >"$n/nginx.conf" <<EOF
# HttpsFlow HTTP sample site (written by make-http-samples.sh)
user nobody nogroup;
worker_processes 1;
pid $n/nginx.pid;
error_log $n/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log $n/logs/access.log;
    client_body_temp_path $n/tmp/body;
    proxy_temp_path $n/tmp/proxy;
    fastcgi_temp_path $n/tmp/fastcgi;
    uwsgi_temp_path $n/tmp/uwsgi;
    scgi_temp_path $n/tmp/scgi;
    types { text/html html; text/plain txt; }
    default_type application/octet-stream;
    server_tokens on;
    keepalive_timeout 5s;
    gzip on;
    gzip_types text/plain;   # text/html is always included
    gzip_min_length 20;

    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name $HOST;
        ssl_certificate $PKI_DIR/fullchain.pem;
        ssl_certificate_key $PKI_DIR/leaf.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
        ssl_prefer_server_ciphers on;
        root $WORK/www;

        location = /medium.txt { gzip off; }
        location = /big.txt { gzip off; }
        location = /deflate.txt {
            gzip off;
            add_header Content-Encoding deflate;
        }
        location /upload/ {
            root $WORK/dav;
            dav_methods PUT;
            client_max_body_size 1m;
        }
        location = /echo {
            default_type text/plain;
            return 200 "ok\n";
        }
    }
}
EOF
    nginx -t -q -e "$n/logs/error.log" -c "$n/nginx.conf" || { cat "$n/logs/error.log" >&2; die "nginx config test failed"; }
    log "starting nginx in $NETNS (config $n/nginx.conf)"
    ip netns exec "$NETNS" nginx -e "$n/logs/error.log" -c "$n/nginx.conf" -g 'daemon off;' &
    NGINX_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        in_ns bash -c "(echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null" && return 0
        sleep 0.1
    done
    cat "$n/logs/error.log" >&2
    die "nginx does not listen on 127.0.0.1:$PORT"
}

# --------------------------------------------------------------------------
# Capturing: dumpcap on the namespace's lo, filtered to the port; a pause
# after the client so the FIN teardown is in the capture.
# --------------------------------------------------------------------------
start_capture() { # OUT.pcapng
    CAP_LOG=$WORK/capture-$(basename "$1").log
    rm -f "$1"
    ip netns exec "$NETNS" dumpcap -q -i lo -f "tcp port $PORT" -w "$1" >"$CAP_LOG" 2>&1 &
    CAP_PID=$!
    wait_for_text "$CAP_LOG" 'Capturing on' 10 || { cat "$CAP_LOG" >&2; die "dumpcap did not start"; }
    sleep 0.5
}

stop_capture() {
    sleep 1.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=""
    if grep -Eq '^[1-9][0-9]* packets? dropped' "$CAP_LOG"; then
        warn "capture dropped packets: $(grep dropped "$CAP_LOG")"
    fi
}

check_keylog() { # FILE REGEX
    [[ -s $1 ]] || die "key log $1 is empty"
    grep -Eq "$2" "$1" || die "key log $1 has no line matching $2"
}

check_one_connection() { # CAPTURE
    local n
    n=$(tshark -n -r "$1" -T fields -e tcp.stream 2>/dev/null | sort -u | grep -c .)
    [[ $n == 1 ]] || die "$(basename "$1") has $n TCP connections, not 1"
}

CURL=(curl -q -sS --no-progress-meter --noproxy '*' --max-time 20)
# Per-URL-group options: curl's --next resets them, so every group repeats them.
TO_SITE=(--resolve "$HOST:$PORT:127.0.0.1" --cacert "$PKI_DIR/root.pem")

# run_curl NAME CURL-ARGS... : one capture of one curl run; curl's output goes to $WORK/NAME.out
run_curl() {
    local name=$1
    shift
    local out=$OUT_DIR/$name.pcapng keys=$OUT_DIR/$name.keys
    log "$name"
    rm -f "$keys"
    start_capture "$out"
    SSLKEYLOGFILE=$keys in_ns "${CURL[@]}" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" ||
        { cat "$WORK/$name.err" >&2; die "curl failed for $name"; }
    stop_capture
    [[ -s $WORK/$name.err ]] && cat "$WORK/$name.err" >&2
    check_keylog "$keys" '^(CLIENT_RANDOM|CLIENT_TRAFFIC_SECRET_0) '
    check_one_connection "$out"
}

expect_out() { # NAME REGEX DESCRIPTION
    grep -Eq "$2" "$WORK/$1.out" || { cat "$WORK/$1.out" >&2; die "$1: $3"; }
}

# --------------------------------------------------------------------------
# The samples
# --------------------------------------------------------------------------
sample_h2_get() {
    want h2-get || return 0
    run_curl h2-get "${TO_SITE[@]}" --http2 --tlsv1.3 -w '\n%{http_version} %{response_code}\n' "$BASE/test.html"
    [[ $(head -c 4 "$WORK/h2-get.out") == test ]] || die "h2-get: body is not 'test'"
    expect_out h2-get '^2 200$' "not an HTTP/2 200"
}

# Several requests multiplexed on one HTTP/2 connection (--parallel): a tiny page, a gzip-compressed page,
# a 404, a ~100 KB response (many DATA frames, TLS records and TCP segments), then a POST.
sample_h2_multi() {
    want h2-multi || return 0
    local w='%{http_version} %{response_code} %{num_connects} %{url_effective}\n'
    run_curl h2-multi "${TO_SITE[@]}" --http2 --tlsv1.3 --parallel --parallel-max 10 --compressed -w "$w" \
        -o /dev/null "$BASE/test.html" -o /dev/null "$BASE/page.html" \
        -o /dev/null "$BASE/missing.html" -o /dev/null "$BASE/big.txt" \
        --next "${TO_SITE[@]}" --http2 --tlsv1.3 -o /dev/null -w "$w" -d 'name=httpsflow&proto=h2' "$BASE/echo"
    expect_out h2-multi "^2 200 .*/page.html$" "page.html not fetched over HTTP/2"
    expect_out h2-multi "^2 404 .*/missing.html$" "no 404"
    expect_out h2-multi "^2 200 .*/echo$" "POST to /echo failed"
}

# An ~84 KB upload (PUT to nginx dav_methods, body from stdin so it has no Content-Length): many client DATA
# frames across TLS records and TCP segments, a stream WINDOW_UPDATE from the server (nginx opens the stream's
# window in one go when it starts reading the body), an empty DATA frame with END_STREAM, then 201 Created.
# (curl's own receive windows are 32 MB, so no download makes curl send WINDOW_UPDATEs after the first.)
sample_h2_upload() {
    want h2-upload || return 0
    seq -f 'HttpsFlow HTTP/2 upload line %06g' 1 2400 >"$WORK/upload.txt"     # ~84 KB
    run_curl h2-upload <"$WORK/upload.txt" "${TO_SITE[@]}" --http2 --tlsv1.3 -H 'Content-Type: text/plain' \
        -T - -w '%{http_version} %{response_code}\n' "$BASE/upload/upload.txt"
    expect_out h2-upload '^2 201$' "PUT to /upload/ failed"
    cmp -s "$WORK/upload.txt" "$WORK/dav/upload/upload.txt" || die "h2-upload: the uploaded file differs"
}

sample_h2_tls12() {
    want h2-tls12 || return 0
    run_curl h2-tls12 "${TO_SITE[@]}" --http2 --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 \
        -w '\n%{http_version} %{response_code}\n' "$BASE/test.html"
    [[ $(head -c 4 "$WORK/h2-tls12.out") == test ]] || die "h2-tls12: body is not 'test'"
    expect_out h2-tls12 '^2 200$' "not an HTTP/2 200"
}

# Keep-alive: five requests one after the other on one HTTP/1.1 connection.
sample_http11_keepalive() {
    want http11-keepalive || return 0
    local w='%{http_version} %{response_code} %{num_connects} %{url_effective}\n'
    run_curl http11-keepalive "${TO_SITE[@]}" --http1.1 --tlsv1.3 --compressed -w "$w" \
        -o /dev/null "$BASE/test.html" -o /dev/null "$BASE/page.html" \
        -o /dev/null "$BASE/missing.html" -o /dev/null "$BASE/medium.txt" \
        --next "${TO_SITE[@]}" --http1.1 --tlsv1.3 -o /dev/null -w "$w" -d 'name=httpsflow&proto=http/1.1' "$BASE/echo"
    expect_out http11-keepalive '^1.1 200 1 .*/test.html$' "test.html not fetched over HTTP/1.1"
    expect_out http11-keepalive '^1.1 404 0 ' "no 404 on the same connection"
    expect_out http11-keepalive '^1.1 200 0 .*/echo$' "POST not on the same connection"
}

# Pipelining: three requests in one write, the last with Connection: close.
sample_http11_pipelined() {
    want http11-pipelined || return 0
    local name=http11-pipelined
    local out=$OUT_DIR/$name.pcapng keys=$OUT_DIR/$name.keys
    log "$name"
    rm -f "$keys"
    printf 'GET /test.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: openssl-s_client\r\n\r\nGET /missing.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: openssl-s_client\r\n\r\nGET /page.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: openssl-s_client\r\nConnection: close\r\n\r\n' \
        "$HOST" "$HOST" "$HOST" >"$WORK/pipelined.req"
    start_capture "$out"
    in_ns timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" \
        -CAfile "$PKI_DIR/root.pem" -verify_return_error -alpn http/1.1 \
        -keylogfile "$keys" -quiet -ign_eof <"$WORK/pipelined.req" >"$WORK/$name.out" 2>"$WORK/$name.err" ||
        { cat "$WORK/$name.err" >&2; die "openssl s_client failed"; }
    stop_capture
    # The 404 status line follows the 4-byte body "test" on the same line.
    [[ $(grep -aoE 'HTTP/1\.1 [0-9]{3} ' "$WORK/$name.out" | wc -l) == 3 ]] || { cat "$WORK/$name.out" >&2; die "$name: not three responses"; }
    check_keylog "$keys" '^CLIENT_TRAFFIC_SECRET_0 '
    check_one_connection "$out"
}

# A response with Content-Encoding: deflate (a zlib stream, as RFC 9110 defines "deflate").
sample_http11_deflate() {
    want http11-tls13-deflate || return 0
    run_curl http11-tls13-deflate "${TO_SITE[@]}" --http1.1 --tlsv1.3 --compressed -D "$WORK/deflate.headers" "$BASE/deflate.txt"
    grep -qi '^Content-Encoding: deflate' "$WORK/deflate.headers" || die "http11-tls13-deflate: no Content-Encoding: deflate"
    cmp -s "$WORK/http11-tls13-deflate.out" "$WORK/deflate-plain.txt" || die "http11-tls13-deflate: body does not decompress to the original"
}

main() {
    mkdir -p "$OUT_DIR"
    make_netns
    make_site
    start_nginx
    sample_h2_get
    sample_h2_multi
    sample_h2_upload
    sample_h2_tls12
    sample_http11_keepalive
    sample_http11_pipelined
    sample_http11_deflate
    chmod 644 "$OUT_DIR"/*
    chown --reference="$SAMPLES_DIR" "$OUT_DIR" "$OUT_DIR"/*
    log "done:"
    capinfos -T -t -E -c -s "$OUT_DIR"/*.pcapng >&2
}

main "$@"
