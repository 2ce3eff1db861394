#!/usr/bin/env bash
# make-samples.sh - record the HttpsFlow sample captures in samples/.
#
# Every capture is real traffic between real peers (curl, openssl s_client,
# nginx, openssl s_server, ping, nc) on the loopback interface, or - for
# lossy.pcap only - between two network namespaces created by this script.
# No packet leaves the machine.
#
# Usage:  sudo samples/make-samples.sh
#
# Needs root (packet capture, ports 80/443, network namespaces).  Safe to run
# again: every output in samples/ is rewritten, fresh certificates are made,
# everything else happens in a temporary directory that is removed at exit.
# Environment: SKIP_LOSSY=1 skips the namespace/packet-loss sample.
set -euo pipefail

SAMPLES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKI_DIR="$SAMPLES_DIR/pki"
HOST=test.httpsflow.example

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------
# Preconditions
# --------------------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "run as root (sudo $0): capturing and binding ports 80/443 need it"

missing_pkgs=()
need() { # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing_pkgs+=("$2")
}
need tshark   tshark
need dumpcap  wireshark-common
need editcap  wireshark-common
need capinfos wireshark-common
need tcpdump  tcpdump
need nginx    nginx-light
need openssl  openssl
need curl     curl
need nc       netcat-openbsd
need ping     iputils-ping
need ip       iproute2
need tc       iproute2
need gzip     gzip
need timeout  coreutils
need gcc      gcc
if ((${#missing_pkgs[@]})); then
    mapfile -t missing_pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    die "missing tools; install them with: apt-get install -y ${missing_pkgs[*]}"
fi
# Optional: nft (packet loss fallback for lossy.pcap), ethtool (turns off
# segmentation offloads on the veth pair so lossy.pcap has MTU-sized packets).
command -v nft     >/dev/null 2>&1 || warn "nft not found (apt-get install nftables); only needed for lossy.pcap when netem is unavailable"
command -v ethtool >/dev/null 2>&1 || warn "ethtool not found (apt-get install ethtool); lossy.pcap will contain offloaded (large) segments"

for port in 80 443 8443; do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something already listens on 127.0.0.1:$port; stop it first"
    fi
done

# --------------------------------------------------------------------------
# Temporary work area and cleanup
# --------------------------------------------------------------------------
WORK="$(mktemp -d /tmp/httpsflow-samples.XXXXXX)"
chmod 755 "$WORK"              # nginx workers (user nobody) read the docroot
BG_PIDS=()                     # background processes started by this script
NETNS_CREATED=0

cleanup() {
    local rc=$?
    set +e
    for pid in "${BG_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
    if ((NETNS_CREATED)); then
        ip netns del hf-client 2>/dev/null
        ip netns del hf-server 2>/dev/null
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() { # remove a pid from BG_PIDS once we have waited for it
    local p keep=()
    for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    BG_PIDS=("${keep[@]}")
}

wait_for_text() { # wait_for_text FILE REGEX SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

wait_for_port() { # wait_for_port HOST PORT  (HOST may be ::1)
    local i
    for ((i = 0; i < 100; i++)); do
        (echo >"/dev/tcp/$1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on $1 port $2"
}

# --------------------------------------------------------------------------
# Capturing.  A capture is started, we wait until the capturer says it
# is listening, traffic is generated, then we wait a moment so the TCP
# teardown (FIN/ACK) is in the capture, and stop the capturer with SIGINT.
# --------------------------------------------------------------------------
CAP_PID=""
CAP_LOG=""

start_dumpcap() { # start_dumpcap OUT.pcapng [dumpcap args...]
    local out=$1; shift
    CAP_LOG="$WORK/capture-$(basename "$out").log"
    rm -f "$out"
    dumpcap -q "$@" -w "$out" >"$CAP_LOG" 2>&1 &
    CAP_PID=$!
    BG_PIDS+=("$CAP_PID")
    wait_for_text "$CAP_LOG" 'Capturing on' 10 || { cat "$CAP_LOG" >&2; die "dumpcap did not start"; }
    sleep 0.5
}

start_tcpdump() { # start_tcpdump OUT.pcap [tcpdump args, filter last...]
    local out=$1; shift
    CAP_LOG="$WORK/capture-$(basename "$out").log"
    rm -f "$out"
    "${TCPDUMP_PREFIX[@]}" tcpdump -Z root -U -w "$out" "$@" >"$CAP_LOG" 2>&1 &
    CAP_PID=$!
    BG_PIDS+=("$CAP_PID")
    wait_for_text "$CAP_LOG" 'listening on' 10 || { cat "$CAP_LOG" >&2; die "tcpdump did not start"; }
    sleep 0.5
}
TCPDUMP_PREFIX=()

stop_capture() {
    sleep 1.5                      # let FIN/ACK and late ACKs arrive
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    forget_pid "$CAP_PID"
    if grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$CAP_LOG"; then
        warn "capture dropped packets: $(grep 'dropped by kernel' "$CAP_LOG")"
    fi
}

check_keylog() { # check_keylog FILE REGEX
    [[ -s $1 ]] || die "key log $1 is empty - the client did not write TLS secrets"
    grep -Eq "$2" "$1" || die "key log $1 has no line matching $2"
}

check_size() { # check_size FILE MAX_BYTES
    local size
    size=$(stat -c %s "$1")
    ((size <= $2)) || warn "$(basename "$1") is $size bytes (limit $2)"
}

CURL_BASE=(curl -q -sS --noproxy '*' --max-time 20)

# curl built with OpenSSL (7.88 here) sets SSL_OP_NO_TICKET, so it never
# offers the session_ticket extension and a TLS 1.2 server never sends a
# NewSessionTicket.  Browsers do offer it, and the test site samples are
# meant to show the ticket, so curl runs with this preloaded shim that clears
# that one option bit.  Nothing else about curl's handshake changes.
TICKET_SHIM=""
build_ticket_shim() {
    local src=$WORK/allow-tickets.c
    cat >"$src" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#define HF_SSL_OP_NO_TICKET ((uint64_t)1 << 14)   /* SSL_OP_NO_TICKET, OpenSSL 3 */
uint64_t SSL_CTX_set_options(void *ctx, uint64_t op)
{
    static uint64_t (*real)(void *, uint64_t);
    if (!real)
        real = (uint64_t (*)(void *, uint64_t))dlsym(RTLD_NEXT, "SSL_CTX_set_options");
    return real(ctx, op & ~HF_SSL_OP_NO_TICKET);
}
EOF
    TICKET_SHIM=$WORK/allow-tickets.so
    gcc -shared -fPIC -O2 -o "$TICKET_SHIM" "$src" -ldl || die "could not build $src"
}

fetch_test_site() { # fetch_test_site KEYLOG CONNECT-ADDRESS ; checks the body is "test"
    local keylog=$1 addr=$2 body
    rm -f "$keylog"
    body=$(LD_PRELOAD="$TICKET_SHIM" SSLKEYLOGFILE="$keylog" "${CURL_BASE[@]}" \
        --resolve "$HOST:443:$addr" --cacert "$PKI_DIR/root.pem" \
        "https://$HOST/test.html")
    [[ $body == test ]] || die "unexpected body from https://$HOST/test.html via $addr: '$body'"
    check_keylog "$keylog" '^CLIENT_RANDOM '
}

# --------------------------------------------------------------------------
# Certificates: root CA -> intermediate -> leaf, all fresh.
# All private keys are written to samples/pki/ ON PURPOSE: they are throw-away
# TEST keys for the sample captures, published so the certificate chain can be
# inspected and re-verified later.  Never use them for anything else.
# --------------------------------------------------------------------------
make_pki() {
    log "creating certificate chain in $PKI_DIR"
    rm -rf "$PKI_DIR"
    mkdir -p "$PKI_DIR"
    local d=$WORK/pki
    mkdir -p "$d"
    cat >"$d/ext.cnf" <<EOF
[req]
distinguished_name = req_dn
[req_dn]

[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[r3_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:$HOST
EOF
    # Root CA (self-signed)
    openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/C=US/O=HttpsFlow Test/CN=HttpsFlow Test Root X1" \
        -config "$d/ext.cnf" -extensions root_ext \
        -keyout "$PKI_DIR/root.key" -out "$PKI_DIR/root.pem" 2>/dev/null
    # Intermediate "R3"
    openssl req -new -newkey rsa:2048 -nodes -sha256 \
        -subj "/C=US/O=HttpsFlow Test/CN=HttpsFlow Test R3" \
        -config "$d/ext.cnf" -keyout "$PKI_DIR/r3.key" -out "$d/r3.csr" 2>/dev/null
    openssl x509 -req -in "$d/r3.csr" -CA "$PKI_DIR/root.pem" -CAkey "$PKI_DIR/root.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 1825 -sha256 \
        -extfile "$d/ext.cnf" -extensions r3_ext -out "$PKI_DIR/r3.pem" 2>/dev/null
    # Leaf for the test site
    openssl req -new -newkey rsa:2048 -nodes -sha256 \
        -subj "/CN=$HOST" \
        -config "$d/ext.cnf" -keyout "$PKI_DIR/leaf.key" -out "$d/leaf.csr" 2>/dev/null
    openssl x509 -req -in "$d/leaf.csr" -CA "$PKI_DIR/r3.pem" -CAkey "$PKI_DIR/r3.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 90 -sha256 \
        -extfile "$d/ext.cnf" -extensions leaf_ext -out "$PKI_DIR/leaf.pem" 2>/dev/null
    # What the server sends: leaf + intermediate (not the root)
    cat "$PKI_DIR/leaf.pem" "$PKI_DIR/r3.pem" >"$PKI_DIR/fullchain.pem"
    openssl verify -CAfile "$PKI_DIR/root.pem" -untrusted "$PKI_DIR/r3.pem" "$PKI_DIR/leaf.pem" >/dev/null ||
        die "generated certificate chain does not verify"
    cat >"$PKI_DIR/README.md" <<'EOF'
# HttpsFlow test PKI

Made by `samples/make-samples.sh` (fresh on every run). These are TEST KEYS
ONLY: the private keys are published on purpose so that the certificate chain
in the sample captures can be inspected and re-verified. Never trust them.

| File            | What                                                            |
|-----------------|-----------------------------------------------------------------|
| `root.pem/.key` | root CA "HttpsFlow Test Root X1" (self-signed, RSA 2048)        |
| `r3.pem/.key`   | intermediate CA "HttpsFlow Test R3", signed by the root          |
| `leaf.pem/.key` | server certificate, CN and SAN `test.httpsflow.example`, RSA 2048 |
| `fullchain.pem` | leaf + intermediate, as sent by the servers in the captures     |

Verify: `openssl verify -CAfile root.pem -untrusted r3.pem leaf.pem`
EOF
}

# --------------------------------------------------------------------------
# nginx on loopback: test site on 127.0.0.1:443 and [::1]:443 (TLS 1.2 only,
# ECDHE-RSA-AES128-GCM-SHA256, session tickets on) and plain HTTP on
# 127.0.0.1:80.  Its own config file in $WORK, never the system one.
# --------------------------------------------------------------------------
NGINX_PID=""
start_nginx() {
    log "starting nginx (config $WORK/nginx/nginx.conf)"
    local n=$WORK/nginx
    mkdir -p "$n/www" "$n/tmp" "$n/logs"
    chmod 755 "$n" "$n/www"
    printf 'test' >"$n/www/test.html"
    chmod 644 "$n/www/test.html"
    cat >"$n/nginx.conf" <<EOF
# HttpsFlow sample test site (written by make-samples.sh)
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
    types { text/html html; }
    default_type application/octet-stream;
    server_tokens on;
    keepalive_timeout 5s;

    server {
        listen 127.0.0.1:443 ssl;
        listen [::1]:443 ssl;
        server_name $HOST;
        ssl_certificate $PKI_DIR/fullchain.pem;
        ssl_certificate_key $PKI_DIR/leaf.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;
        ssl_prefer_server_ciphers on;
        ssl_session_tickets on;
        root $n/www;
    }
    server {
        listen 127.0.0.1:80;
        server_name $HOST;
        root $n/www;
    }
}
EOF
    nginx -t -q -e "$n/logs/error.log" -c "$n/nginx.conf" || { cat "$n/logs/error.log" >&2; die "nginx config test failed"; }
    nginx -e "$n/logs/error.log" -c "$n/nginx.conf" -g 'daemon off;' &
    NGINX_PID=$!
    BG_PIDS+=("$NGINX_PID")
    wait_for_port 127.0.0.1 443
    wait_for_port ::1 443
    wait_for_port 127.0.0.1 80
}

# --------------------------------------------------------------------------
# The samples
# --------------------------------------------------------------------------
sample_test_site_tls12() {
    log "test-site-tls12.pcapng (dumpcap, TLS 1.2)"
    local out=$SAMPLES_DIR/test-site-tls12.pcapng keys=$SAMPLES_DIR/test-site-tls12.keys
    start_dumpcap "$out" -i lo -f "tcp port 443"
    fetch_test_site "$keys" 127.0.0.1
    stop_capture
    log "test-site-tls12-dsb.pcapng (secrets embedded with editcap)"
    rm -f "$SAMPLES_DIR/test-site-tls12-dsb.pcapng"
    editcap --inject-secrets "tls,$keys" "$out" "$SAMPLES_DIR/test-site-tls12-dsb.pcapng"
}

sample_tls13() {
    log "tls13.pcapng (openssl s_server / s_client, TLS 1.3)"
    local out=$SAMPLES_DIR/tls13.pcapng keys=$SAMPLES_DIR/tls13.keys
    local srvlog=$WORK/s_server.log resp=$WORK/tls13-response.txt
    rm -f "$keys"
    openssl s_server -accept 127.0.0.1:8443 -tls1_3 -www -naccept 1 \
        -cert "$PKI_DIR/leaf.pem" -key "$PKI_DIR/leaf.key" -cert_chain "$PKI_DIR/r3.pem" \
        >"$srvlog" 2>&1 </dev/null &
    local spid=$!
    BG_PIDS+=("$spid")
    wait_for_text "$srvlog" 'ACCEPT' 10 || { cat "$srvlog" >&2; die "openssl s_server did not start"; }
    start_dumpcap "$out" -i lo -f "tcp port 8443"
    printf 'GET / HTTP/1.0\r\n\r\n' |
        timeout 20 openssl s_client -connect 127.0.0.1:8443 -servername "$HOST" \
            -CAfile "$PKI_DIR/root.pem" -verify_return_error -tls1_3 \
            -keylogfile "$keys" -quiet -ign_eof >"$resp" 2>"$WORK/s_client.err" ||
        { cat "$WORK/s_client.err" >&2; die "openssl s_client failed"; }
    grep -q '^HTTP/1.0 200 ok' "$resp" || die "unexpected response from openssl s_server -www"
    stop_capture
    wait "$spid" 2>/dev/null || true
    forget_pid "$spid"
    check_keylog "$keys" '^CLIENT_HANDSHAKE_TRAFFIC_SECRET '
}

sample_ipv6() {
    log "ipv6.pcap (tcpdump, curl to [::1]:443)"
    start_tcpdump "$SAMPLES_DIR/ipv6.pcap" -i lo 'tcp port 443'
    fetch_test_site "$SAMPLES_DIR/ipv6.keys" '[::1]'
    stop_capture
}

sample_cooked() {
    log "cooked-sll2.pcap (tcpdump -i any)"
    start_tcpdump "$SAMPLES_DIR/cooked-sll2.pcap" -i any 'tcp port 443'
    fetch_test_site "$SAMPLES_DIR/cooked-sll2.keys" 127.0.0.1
    stop_capture
    log "cooked-sll.pcap (tcpdump -i any -y LINUX_SLL)"
    start_tcpdump "$SAMPLES_DIR/cooked-sll.pcap" -i any -y LINUX_SLL 'tcp port 443'
    fetch_test_site "$SAMPLES_DIR/cooked-sll.keys" 127.0.0.1
    stop_capture
}

sample_classic_nano() {
    log "classic-nano.pcap (tcpdump --time-stamp-precision nano)"
    start_tcpdump "$SAMPLES_DIR/classic-nano.pcap" --time-stamp-precision nano -i lo 'tcp port 443'
    fetch_test_site "$SAMPLES_DIR/classic-nano.keys" 127.0.0.1
    stop_capture
}

sample_gzip() {
    log "test-site-tls12.pcap.gz (tcpdump, then gzip -n)"
    local raw=$WORK/test-site-tls12.pcap
    start_tcpdump "$raw" -i lo 'tcp port 443'
    fetch_test_site "$SAMPLES_DIR/test-site-tls12-gz.keys" 127.0.0.1
    stop_capture
    gzip -n -9 -c "$raw" >"$SAMPLES_DIR/test-site-tls12.pcap.gz"
}

sample_mixed() {
    log "mixed.pcapng (dumpcap on lo, no filter: HTTP, UDP, ICMP, ICMPv6, RST)"
    local out=$SAMPLES_DIR/mixed.pcapng body
    # A UDP listener so that some datagrams are received (and answered).
    (printf 'pong' | timeout 5 nc -u -l -W 1 127.0.0.1 5300 >/dev/null 2>&1 || true) &
    local upid=$!
    BG_PIDS+=("$upid")
    sleep 0.3
    start_dumpcap "$out" -i lo
    # 1. plain HTTP/1.1 GET
    body=$("${CURL_BASE[@]}" -H "Host: $HOST" http://127.0.0.1/test.html)
    [[ $body == test ]] || die "unexpected body from http://127.0.0.1/test.html: '$body'"
    # 2. UDP: a datagram to the listener (which answers), one to a closed port
    #    (answered with ICMP port unreachable)
    printf 'ping' | timeout 3 nc -u -w 1 127.0.0.1 5300 >/dev/null 2>&1 || true
    printf 'hi' | timeout 3 nc -u -w 1 127.0.0.1 40000 >/dev/null 2>&1 || true
    # 3. ICMP and ICMPv6 echo
    ping -c 2 -i 0.2 -q 127.0.0.1 >/dev/null
    ping -6 -c 2 -i 0.2 -q ::1 >/dev/null
    # 4. TCP to a closed port: SYN answered by RST
    nc -z -w 1 127.0.0.1 9 2>/dev/null && die "port 9 is unexpectedly open" || true
    stop_capture
    wait "$upid" 2>/dev/null || true
    forget_pid "$upid"
    local count
    count=$(capinfos -c -M "$out" | sed -n 's/^Number of packets: *//p')
    ((count < 60)) || warn "mixed.pcapng has $count packets; other loopback traffic was captured too"
}

sample_lossy() {
    log "lossy.pcap (two network namespaces, packet loss, ~300 KB over TLS)"
    local out=$SAMPLES_DIR/lossy.pcap keys=$SAMPLES_DIR/lossy.keys
    local n=$WORK/lossy
    mkdir -p "$n/www" "$n/tmp" "$n/logs"
    chmod 755 "$n" "$n/www"
    seq -f 'HttpsFlow lossy sample line %06g' 1 9000 >"$n/www/big.txt"   # 315 000 bytes
    chmod 644 "$n/www/big.txt"

    ip netns del hf-client 2>/dev/null || true
    ip netns del hf-server 2>/dev/null || true
    NETNS_CREATED=1
    ip netns add hf-client
    ip netns add hf-server
    ip link add hfc0 netns hf-client type veth peer name hfs0 netns hf-server
    ip -n hf-client addr add 10.77.0.1/24 dev hfc0
    ip -n hf-server addr add 10.77.0.2/24 dev hfs0
    ip -n hf-client link set lo up
    ip -n hf-server link set lo up
    ip -n hf-client link set hfc0 up
    ip -n hf-server link set hfs0 up
    if command -v ethtool >/dev/null 2>&1; then
        ip netns exec hf-client ethtool -K hfc0 tso off gso off gro off >/dev/null 2>&1 || true
        ip netns exec hf-server ethtool -K hfs0 tso off gso off gro off >/dev/null 2>&1 || true
    fi

    # Impairment: netem if the kernel has it, else nftables random drops.
    LOSSY_METHOD=""
    if ip netns exec hf-server tc qdisc add dev hfs0 root netem loss 5% delay 5ms reorder 10% 2>/dev/null; then
        LOSSY_METHOD="tc netem on the server side of the veth pair: loss 5%, delay 5ms, reorder 10%"
    elif command -v nft >/dev/null 2>&1; then
        # Drops must happen on the receiving side: a packet that the sending
        # host's own netfilter drops is simply sent again by its TCP stack
        # and never shows up as loss.  So server->client packets are dropped
        # on hf-client's input hook and client->server packets on hf-server's
        # input hook.  tcpdump on hfc0 sees packets before hf-client's
        # netfilter does, so the capture holds each dropped packet once,
        # followed by duplicate ACKs/SACKs and the retransmission.
        ip netns exec hf-client nft -f - <<'EOF'
table inet hf_loss {
    chain in { type filter hook input priority 0; policy accept;
        tcp sport 443 numgen random mod 100 < 5 counter drop
    }
}
EOF
        ip netns exec hf-server nft -f - <<'EOF'
table inet hf_loss {
    chain in { type filter hook input priority 0; policy accept;
        tcp dport 443 numgen random mod 100 < 5 counter drop
    }
}
EOF
        LOSSY_METHOD="nftables: 5% of the packets in each direction are dropped by the receiving namespace's input hook, after the capture point (tc netem is not available in this kernel, so no added delay or reordering)"
    else
        warn "skipping lossy.pcap: neither tc netem nor nft is available"
        LOSSY_METHOD=""
        ip netns del hf-client; ip netns del hf-server; NETNS_CREATED=0
        rm -f "$out" "$keys"
        return 0
    fi
    log "impairment: $LOSSY_METHOD"

    cat >"$n/nginx.conf" <<EOF
# HttpsFlow lossy sample server (written by make-samples.sh)
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
    types { text/plain txt; }
    server {
        listen 10.77.0.2:443 ssl;
        server_name $HOST;
        ssl_certificate $PKI_DIR/fullchain.pem;
        ssl_certificate_key $PKI_DIR/leaf.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $n/www;
    }
}
EOF
    ip netns exec hf-server nginx -e "$n/logs/error.log" -c "$n/nginx.conf" -g 'daemon off;' &
    local npid=$!
    BG_PIDS+=("$npid")
    local i
    for ((i = 0; i < 100; i++)); do
        ip netns exec hf-server bash -c 'echo >/dev/tcp/10.77.0.2/443' 2>/dev/null && break
        sleep 0.1
    done

    TCPDUMP_PREFIX=(ip netns exec hf-client)
    start_tcpdump "$out" -i hfc0 'tcp port 443'
    TCPDUMP_PREFIX=()
    rm -f "$keys"
    ip netns exec hf-client env SSLKEYLOGFILE="$keys" "${CURL_BASE[@]}" --max-time 120 \
        --resolve "$HOST:443:10.77.0.2" --cacert "$PKI_DIR/root.pem" \
        -o "$n/got.txt" "https://$HOST/big.txt"
    cmp -s "$n/got.txt" "$n/www/big.txt" || die "lossy transfer returned a different body"
    sleep 1.5
    stop_capture
    check_keylog "$keys" '^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET) '
    local ns dropped
    for ns in hf-client hf-server; do
        dropped=$(ip netns exec "$ns" nft list table inet hf_loss 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
        [[ -z $dropped ]] || log "packets dropped on input in $ns: $dropped"
    done

    kill -QUIT "$npid" 2>/dev/null || true
    wait "$npid" 2>/dev/null || true
    forget_pid "$npid"
    ip netns del hf-client
    ip netns del hf-server
    NETNS_CREATED=0
}

# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------
cap_field() { # cap_field FILE LABEL  -> value from `capinfos` long report
    capinfos "$2" 2>/dev/null | sed -n "s/^$1:[[:space:]]*//p" | head -1
}

tls_summary() { # tls_summary CAPTURE KEYLOG -> "TLS 1.2, TLS_ECDHE_..."
    local f=$1 k=$2 ver suite
    ver=$(HOME=$WORK tshark -n -r "$f" -o "tls.keylog_file:$k" -Y 'tls.handshake.type == 2' \
        -T fields -e tls.handshake.extensions.supported_version -e tls.handshake.version 2>/dev/null | head -1)
    suite=$(HOME=$WORK tshark -n -r "$f" -Y 'tls.handshake.type == 2' -V 2>/dev/null |
        sed -n 's/^ *Cipher Suite: \(TLS_[A-Z0-9_]*\).*/\1/p' | head -1)
    case "$ver" in
        *0x0304*) ver="TLS 1.3" ;;
        *0x0303*) ver="TLS 1.2" ;;
        *) ver="TLS ($ver)" ;;
    esac
    printf '%s, %s' "$ver" "$suite"
}

sample_facts() { # sample_facts CAPTURE [KEYLOG]  -> markdown bullet lines
    local f=$SAMPLES_DIR/$1 k=${2:-}
    printf -- '- File: `%s` (%s bytes)\n' "$1" "$(stat -c %s "$f")"
    printf -- '- Format: %s; link type: %s\n' "$(cap_field 'File type' "$f")" "$(cap_field 'File encapsulation' "$f")"
    printf -- '- Timestamp precision: %s\n' "$(cap_field 'File timestamp precision' "$f")"
    printf -- '- Packets: %s\n' "$(cap_field 'Number of packets' "$f")"
    if [[ -n $k ]]; then
        printf -- '- TLS: %s\n' "$(tls_summary "$f" "$SAMPLES_DIR/$k")"
        printf -- '- Key log (NSS format): `%s`\n' "$k"
    fi
}

write_readme() {
    log "writing samples/README.md"
    local v_nginx v_curl v_openssl v_tcpdump v_libpcap v_dumpcap v_editcap v_os v_kernel v_ping v_nc
    v_nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')
    v_curl=$(curl --version | head -1 | awk '{print $1" "$2" ("$5")"}')
    v_openssl=$(openssl version | awk '{print $1" "$2}')
    v_tcpdump=$(tcpdump --version 2>&1 | sed -n '1p')
    v_libpcap=$(tcpdump --version 2>&1 | sed -n 's/^\(libpcap version [^ ]*\).*/\1/p')
    v_dumpcap=$(dumpcap --version | head -1 | sed 's/\.$//')
    v_editcap=$(editcap --version | head -1 | sed 's/\.$//')
    v_ping=$(ping -V 2>&1 | head -1)
    v_nc="netcat-openbsd $(dpkg-query -W -f '${Version}' netcat-openbsd 2>/dev/null || echo '?')"
    v_os=$(. /etc/os-release && echo "$PRETTY_NAME")
    v_kernel="Linux $(uname -r | cut -d- -f1)"

    {
        cat <<EOF
# HttpsFlow sample captures

Real captures of real peers, made by \`make-samples.sh\` (run as root:
\`sudo samples/make-samples.sh\`). All traffic is on the loopback interface,
except \`lossy.pcap\`, which is between two network namespaces created (and
removed) by the script. Re-running the script replaces every file here,
including a fresh certificate chain, so captures and key logs always belong
together.

Tools used for the current files:

- OS: $v_os, $v_kernel
- Server: $v_nginx; $v_openssl (\`openssl s_server\`)
- Clients: $v_curl; \`openssl s_client\` ($v_openssl); $v_ping; $v_nc
- Capture: $v_dumpcap; $v_tcpdump, $v_libpcap; $v_editcap

## Certificates

\`pki/\` holds the chain made by the script (TEST keys, private keys included
on purpose): root CA "HttpsFlow Test Root X1" -> intermediate "HttpsFlow Test
R3" -> leaf \`test.httpsflow.example\` (CN and SAN, RSA 2048). The servers send
leaf + intermediate. See \`pki/README.md\`.

## Key logs

Key logs are in NSS key log format (\`SSLKEYLOGFILE\`), written by the client
(curl or \`openssl s_client -keylogfile\`). Naming: the capture name with its
extension (\`.pcapng\`, \`.pcap\`) replaced by \`.keys\`. Two exceptions:
\`test-site-tls12.pcap.gz\` uses \`test-site-tls12-gz.keys\` (its own
connection, so it cannot share \`test-site-tls12.keys\`), and
\`test-site-tls12-dsb.pcapng\` needs none (its secrets are embedded in the
file). \`mixed.pcapng\` has no TLS and no key log. Decrypt with e.g.
\`tshark -r test-site-tls12.pcapng -o tls.keylog_file:test-site-tls12.keys\`.

| Capture | Key log |
|---|---|
EOF
        local pair
        for pair in test-site-tls12.pcapng:test-site-tls12.keys \
                    test-site-tls12-dsb.pcapng:'(embedded DSB)' \
                    tls13.pcapng:tls13.keys ipv6.pcap:ipv6.keys \
                    cooked-sll2.pcap:cooked-sll2.keys cooked-sll.pcap:cooked-sll.keys \
                    classic-nano.pcap:classic-nano.keys \
                    test-site-tls12.pcap.gz:test-site-tls12-gz.keys \
                    mixed.pcapng:'(none)' lossy.pcap:lossy.keys; do
            [[ -e $SAMPLES_DIR/${pair%%:*} ]] || continue
            printf '| `%s` | %s |\n' "${pair%%:*}" "$(k=${pair#*:}; [[ $k == \(* ]] && echo "$k" || echo "\`$k\`")"
        done

        cat <<EOF

## The one-word test site

nginx on 127.0.0.1:443 (and [::1]:443) serves \`/test.html\`, whose body is
exactly \`test\` (4 bytes, no newline), for server name
\`test.httpsflow.example\`. TLS 1.2 only, cipher ECDHE-RSA-AES128-GCM-SHA256,
session tickets on (the server sends a NewSessionTicket), no HTTP/2 (ALPN
picks http/1.1). The client is

    SSLKEYLOGFILE=KEYS curl --resolve test.httpsflow.example:443:127.0.0.1 \\
        --cacert pki/root.pem https://test.httpsflow.example/test.html

curl (7.88, built with OpenSSL) sets \`SSL_OP_NO_TICKET\`, so it would not offer
the session_ticket extension and the server would never send a
NewSessionTicket. To get the ticket that browsers get, curl runs with a tiny
\`LD_PRELOAD\` shim (built by the script) that clears only that option bit.

Every capture waits 1.5 s after the client exits before the capturer is
stopped (SIGINT), so the FIN teardown is included.

## test-site-tls12.pcapng

One fetch of the test site, captured with \`dumpcap -i lo -f "tcp port 443"\`.

$(sample_facts test-site-tls12.pcapng test-site-tls12.keys)

## test-site-tls12-dsb.pcapng

\`test-site-tls12.pcapng\` with the key log embedded as a pcapng Decryption
Secrets Block: \`editcap --inject-secrets tls,test-site-tls12.keys
test-site-tls12.pcapng test-site-tls12-dsb.pcapng\`. Same packets; tshark
decrypts it without any option.

$(sample_facts test-site-tls12-dsb.pcapng test-site-tls12.keys | grep -v '^- Key log')
- Key log: embedded (from \`test-site-tls12.keys\`)

## tls13.pcapng

TLS 1.3: \`openssl s_server -accept 127.0.0.1:8443 -tls1_3 -www\` (leaf +
intermediate from \`pki/\`), client \`openssl s_client -connect 127.0.0.1:8443
-servername test.httpsflow.example -tls1_3 -keylogfile tls13.keys -ign_eof\`
sending \`GET / HTTP/1.0\`; the server answers with its status page and sends
two NewSessionTickets. Captured with \`dumpcap -i lo -f "tcp port 8443"\`.

$(sample_facts tls13.pcapng tls13.keys)

## ipv6.pcap

The test site over IPv6: curl with \`--resolve
test.httpsflow.example:443:[::1]\` to nginx on [::1]:443. Captured with
\`tcpdump -i lo -w ipv6.pcap 'tcp port 443'\` (classic pcap).

$(sample_facts ipv6.pcap ipv6.keys)

## cooked-sll2.pcap

The test site, captured with \`tcpdump -i any 'tcp port 443'\`; libpcap writes
Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276).

$(sample_facts cooked-sll2.pcap cooked-sll2.keys)

## cooked-sll.pcap

The test site, captured with \`tcpdump -i any -y LINUX_SLL 'tcp port 443'\`:
Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113).

$(sample_facts cooked-sll.pcap cooked-sll.keys)

## classic-nano.pcap

The test site, captured with \`tcpdump --time-stamp-precision nano -i lo\`:
classic pcap with the nanosecond magic number (0xa1b23c4d).

$(sample_facts classic-nano.pcap classic-nano.keys)

## test-site-tls12.pcap.gz

Another fetch of the test site (its own connection and key log), captured
with \`tcpdump -i lo 'tcp port 443'\` and compressed with \`gzip -n -9\`.

$(sample_facts test-site-tls12.pcap.gz test-site-tls12-gz.keys)

## mixed.pcapng

\`dumpcap -i lo\` with no capture filter, while the script makes non-TLS
traffic: a plain HTTP/1.1 GET of \`http://127.0.0.1/test.html\` (nginx on
port 80, body \`test\`); a UDP datagram to an \`nc -u -l\` listener on
127.0.0.1:5300, which answers; a UDP datagram to closed port 40000 (answered
by ICMP port unreachable); \`ping -c 2 127.0.0.1\`; \`ping -6 -c 2 ::1\`; and
\`nc -z 127.0.0.1 9\` to a closed TCP port (SYN answered by RST/ACK). No key
log.

$(sample_facts mixed.pcapng)
EOF
        if [[ -e $SAMPLES_DIR/lossy.pcap ]]; then
            cat <<EOF

## lossy.pcap

A ~315 KB download (\`/big.txt\`) over TLS between two network namespaces,
\`hf-client\` (10.77.0.1) and \`hf-server\` (10.77.0.2), joined by a veth pair
with segmentation offloads turned off. nginx (TLS 1.2 and 1.3 allowed) runs in
\`hf-server\`, curl in \`hf-client\`, and \`tcpdump -i hfc0\` captures inside
\`hf-client\`. The capture has retransmissions, duplicate ACKs and SACKs.

- Impairment: ${LOSSY_METHOD:-see make-samples.sh}
$(sample_facts lossy.pcap lossy.keys)
EOF
        fi
    } >"$SAMPLES_DIR/README.md"
}

# --------------------------------------------------------------------------
main() {
    build_ticket_shim
    make_pki
    start_nginx
    sample_test_site_tls12
    sample_tls13
    sample_ipv6
    sample_cooked
    sample_classic_nano
    sample_gzip
    sample_mixed
    if [[ ${SKIP_LOSSY:-0} == 1 ]]; then
        log "SKIP_LOSSY=1: skipping lossy.pcap"
    else
        sample_lossy
    fi
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    forget_pid "$NGINX_PID"

    local f
    for f in test-site-tls12.pcapng test-site-tls12-dsb.pcapng tls13.pcapng ipv6.pcap \
             cooked-sll2.pcap cooked-sll.pcap classic-nano.pcap test-site-tls12.pcap.gz mixed.pcapng; do
        check_size "$SAMPLES_DIR/$f" 102400
    done
    write_readme
    # Readable by everyone (the keys are published test keys) and owned like
    # the samples directory, also when the script ran under sudo.
    chmod 644 "$SAMPLES_DIR"/*.pcap "$SAMPLES_DIR"/*.pcapng "$SAMPLES_DIR"/*.pcap.gz \
        "$SAMPLES_DIR"/*.keys "$SAMPLES_DIR/README.md" "$PKI_DIR"/*
    chown --reference="$SAMPLES_DIR" "$SAMPLES_DIR"/*.pcap "$SAMPLES_DIR"/*.pcapng \
        "$SAMPLES_DIR"/*.pcap.gz "$SAMPLES_DIR"/*.keys "$SAMPLES_DIR/README.md" "$PKI_DIR" "$PKI_DIR"/*
    log "done:"
    capinfos -T -t -E -c -s "$SAMPLES_DIR"/*.pcap "$SAMPLES_DIR"/*.pcapng "$SAMPLES_DIR"/*.pcap.gz >&2
}

main "$@"
