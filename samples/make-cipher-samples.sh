#!/usr/bin/env bash
# Makes small captures of one TLS connection each, for the cipher families the decryption code supports, in
# samples/ciphers/: openssl s_server (-WWW, serving ./test.html whose body is "test") and openssl s_client
# (-keylogfile) on 127.0.0.1, captured with dumpcap on the loopback interface. Run as root:
#     sudo samples/make-cipher-samples.sh
# It never touches the samples made by make-samples.sh (other tests have golden files for them); it uses the
# certificate chain in samples/pki. Every capture NAME.pcapng has its key log NAME.keys beside it.
# With arguments, only the named samples are made: sudo samples/make-cipher-samples.sh tls13-early-data
set -euo pipefail

SAMPLES_DIR=$(cd "$(dirname "$0")" && pwd)
PKI_DIR=$SAMPLES_DIR/pki
OUT_DIR=$SAMPLES_DIR/ciphers
HOST=test.httpsflow.example
PORT=8444
WORK=$(mktemp -d)
SERVER_PID=""
CAPTURE_PID=""

ONLY=" $* "
want() { [[ $ONLY == "  " || $ONLY == *" $1 "* ]]; }

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

cleanup() {
    [[ -n $CAPTURE_PID ]] && kill -INT "$CAPTURE_PID" 2>/dev/null || true
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || die "run as root (dumpcap on lo)"
mkdir -p "$OUT_DIR"
printf 'test' >"$WORK/test.html"

wait_for_text() { # FILE REGEX SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_server() { # s_server options...
    (cd "$WORK" && exec openssl s_server -accept "127.0.0.1:$PORT" -WWW \
        -cert "$PKI_DIR/leaf.pem" -key "$PKI_DIR/leaf.key" -cert_chain "$PKI_DIR/r3.pem" "$@" \
        >"$WORK/server.log" 2>&1 </dev/null) &
    SERVER_PID=$!
    wait_for_text "$WORK/server.log" ACCEPT 10 || { cat "$WORK/server.log" >&2; die "s_server did not start"; }
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

start_capture() { # FILE
    rm -f "$1"
    dumpcap -q -i lo -f "tcp port $PORT" -w "$1" >"$WORK/dumpcap.log" 2>&1 &
    CAPTURE_PID=$!
    wait_for_text "$WORK/dumpcap.log" "Capturing on" 10 || { cat "$WORK/dumpcap.log" >&2; die "dumpcap did not start"; }
    sleep 0.5
}

stop_capture() {
    sleep 1.5
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" 2>/dev/null || true
    CAPTURE_PID=""
}

fetch() { # KEYS s_client options...
    local keys=$1
    shift
    printf 'GET /test.html HTTP/1.0\r\n\r\n' |
        timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" -CAfile "$PKI_DIR/root.pem" \
            -keylogfile "$keys" -quiet -ign_eof "$@" >"$WORK/response.txt" 2>"$WORK/client.err" ||
        { cat "$WORK/client.err" >&2; die "s_client failed"; }
    grep -q '^HTTP/1.0 200 ok' "$WORK/response.txt" || { cat "$WORK/response.txt" "$WORK/client.err" >&2; die "unexpected response"; }
}

# sample NAME "server options" "client options": one fetch of /test.html.
sample() {
    local name=$1 server=$2 client=$3
    local out=$OUT_DIR/$name.pcapng keys=$OUT_DIR/$name.keys
    want "$name" || return 0
    log "$name"
    rm -f "$keys"
    # shellcheck disable=SC2086
    start_server $server
    start_capture "$out"
    # shellcheck disable=SC2086
    fetch "$keys" $client
    stop_capture
    stop_server
}

L0='-cipher ALL:@SECLEVEL=0'
sample tls12-aes256gcm      "-tls1_2 $L0" "-cipher ECDHE-RSA-AES256-GCM-SHA384"
sample tls12-chacha20       "-tls1_2 $L0" "-cipher ECDHE-RSA-CHACHA20-POLY1305"
sample tls12-aes128ccm      "-tls1_2 $L0" "-cipher DHE-RSA-AES128-CCM"
sample tls12-aes256ccm8     "-tls1_2 $L0" "-cipher DHE-RSA-AES256-CCM8"
sample tls12-cbc-sha-etm    "-tls1_2 $L0" "-cipher ECDHE-RSA-AES128-SHA"
sample tls12-cbc-sha-noetm  "-tls1_2 $L0" "-cipher ECDHE-RSA-AES128-SHA -no_etm"
sample tls12-cbc-sha256     "-tls1_2 $L0" "-cipher AES128-SHA256 -no_etm"
sample tls12-cbc-sha384     "-tls1_2 $L0" "-cipher ECDHE-RSA-AES256-SHA384"
sample tls11-cbc            "-tls1_1 $L0" "-cipher ECDHE-RSA-AES256-SHA:@SECLEVEL=0 -no_etm"
sample tls10-cbc            "-tls1 $L0" "-cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0 -no_etm"
sample tls13-chacha20       "-tls1_3" "-ciphersuites TLS_CHACHA20_POLY1305_SHA256"
sample tls13-aes128ccm      "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256" "-ciphersuites TLS_AES_128_CCM_SHA256"
sample tls13-aes128ccm8     "-tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256" "-ciphersuites TLS_AES_128_CCM_8_SHA256"
sample tls13-hrr            "-tls1_3 -groups P-256" "-groups X25519:P-256"

# TLS 1.2 session resumption (ticket) and TLS 1.3 resumption (PSK): two connections in one capture.
resumption() { # NAME VERSION-OPTION
    local name=$1 version=$2
    local out=$OUT_DIR/$name.pcapng keys=$OUT_DIR/$name.keys
    want "$name" || return 0
    log "$name"
    rm -f "$keys"
    start_server "$version"
    start_capture "$out"
    fetch "$keys" "$version" -sess_out "$WORK/session.pem"
    fetch "$keys" "$version" -sess_in "$WORK/session.pem"
    stop_capture
    stop_server
}
resumption tls12-resumed -tls1_2
resumption tls13-resumed -tls1_3

# s_client commands in the middle of a connection: "K" (TLS 1.3 KeyUpdate, the peer's update requested) and "R"
# (TLS 1.2 renegotiation), each followed by more data.
command_sample() { # NAME VERSION-OPTION LETTER [SERVER-OPTION...]
    local name=$1 version=$2 letter=$3
    shift 3
    want "$name" || return 0
    log "$name"
    local keys=$OUT_DIR/$name.keys
    rm -f "$keys"
    (cd "$WORK" && exec openssl s_server -accept "127.0.0.1:$PORT" "$version" -naccept 1 "$@" \
        -cert "$PKI_DIR/leaf.pem" -key "$PKI_DIR/leaf.key" -cert_chain "$PKI_DIR/r3.pem" \
        >"$WORK/server.log" 2>&1 < <(sleep 4)) &
    SERVER_PID=$!
    wait_for_text "$WORK/server.log" ACCEPT 10 || die "s_server did not start"
    start_capture "$OUT_DIR/$name.pcapng"
    { printf 'GET /test.html HTTP/1.0\r\n'; sleep 0.5; printf '%s\n' "$letter"; sleep 0.5; printf 'after the %s command\n' "$letter"; sleep 0.5; } |
        timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" -CAfile "$PKI_DIR/root.pem" \
            -keylogfile "$keys" "$version" >"$WORK/response.txt" 2>"$WORK/client.err" || true
    stop_capture
    stop_server
    grep -q "after the $letter command" "$WORK/server.log" || { cat "$WORK/server.log" >&2; die "the server did not get the data after $letter"; }
}
command_sample tls13-keyupdate -tls1_3 K
command_sample tls12-renegotiation -tls1_2 R -client_renegotiation

# TLS 1.3 0-RTT: a first connection saves its session, the second resumes it and sends its request as early data
# (s_server -early_data in its plain mode, which reads early data; the server answers with "early data received").
early_data() {
want tls13-early-data || return 0
log tls13-early-data
local keys=$OUT_DIR/tls13-early-data.keys
rm -f "$keys"
printf 'GET /test.html HTTP/1.0\r\n\r\n' >"$WORK/early.txt"
(cd "$WORK" && exec openssl s_server -accept "127.0.0.1:$PORT" -tls1_3 -early_data -naccept 2 \
    -cert "$PKI_DIR/leaf.pem" -key "$PKI_DIR/leaf.key" -cert_chain "$PKI_DIR/r3.pem" \
    >"$WORK/server.log" 2>&1 < <(sleep 6)) &
SERVER_PID=$!
wait_for_text "$WORK/server.log" ACCEPT 10 || die "s_server did not start"
start_capture "$OUT_DIR/tls13-early-data.pcapng"
{ printf 'hello\n'; sleep 1; } | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" \
    -CAfile "$PKI_DIR/root.pem" -keylogfile "$keys" -tls1_3 -sess_out "$WORK/early-session.pem" \
    >"$WORK/response.txt" 2>"$WORK/client.err" || true
{ sleep 1; } | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" \
    -CAfile "$PKI_DIR/root.pem" -keylogfile "$keys" -tls1_3 -sess_in "$WORK/early-session.pem" \
    -early_data "$WORK/early.txt" >"$WORK/response.txt" 2>"$WORK/client.err" || true
stop_capture
stop_server
grep -q 'GET /test.html' "$WORK/server.log" || { cat "$WORK/server.log" >&2; die "the server did not get the early data"; }
}
early_data

log "done: $(ls "$OUT_DIR" | wc -l) files in $OUT_DIR"
