#!/usr/bin/env bash
# make-handshakes-golden.sh - write tshark's view of every TLS hello in samples/ into
# tests/golden/NAME.handshakes.tsv, for the `handshakes` tests (version, cipher suite, SNI and ALPN per
# tcp.stream). Same environment as make-golden.sh: LC_ALL=C.UTF-8, TZ=UTC, an empty HOME.
#
# Usage:  tests/golden/make-handshakes-golden.sh
set -euo pipefail

GOLDEN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$GOLDEN_DIR/../.." && pwd)"
command -v tshark >/dev/null 2>&1 || { echo "ERROR: tshark not found" >&2; exit 1; }
EMPTY_HOME="$(mktemp -d /tmp/httpsflow-golden.XXXXXX)"
trap 'rm -rf "$EMPTY_HOME"' EXIT

rm -f "$GOLDEN_DIR"/*.handshakes.tsv
shopt -s nullglob
for cap in "$ROOT"/samples/*.pcap "$ROOT"/samples/*.pcapng "$ROOT"/samples/*.pcap.gz; do
    name=$(basename "$cap")
    env -u WIRESHARK_CONFIG_DIR -u XDG_CONFIG_HOME HOME="$EMPTY_HOME" LC_ALL=C.UTF-8 TZ=UTC \
        tshark -n -r "$cap" -Y 'tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)' \
        -T fields -E header=y -E separator=/t -e tcp.stream -e tls.handshake.type -e tls.handshake.version \
        -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite \
        -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str -e tls.handshake.random \
        2>/dev/null >"$GOLDEN_DIR/$name.handshakes.tsv"
done
echo "==> wrote $(ls "$GOLDEN_DIR"/*.handshakes.tsv | wc -l) files" >&2
