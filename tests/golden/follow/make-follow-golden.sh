#!/usr/bin/env bash
# make-follow-golden.sh - write tshark's `-q -z follow,…` outputs that `httpsflow follow` is compared with.
#
# Usage:  tests/golden/follow/make-follow-golden.sh
#
# For each capture below and each mode (ascii, hex, raw, yaml; ascii alone for lossy.pcap, whose ~300 kB
# conversation would take megabytes in the other modes) it writes
#   CAPTURE.tls.N.MODE.txt   `tshark -q -z follow,tls,MODE,N` with the capture's key log (samples/NAME.keys),
#                            or with none when the capture embeds its secrets (a pcapng Decryption Secrets Block)
#   CAPTURE.tcp.N.MODE.txt   `tshark -q -z follow,tcp,MODE,N` (the raw TCP payload), for a few captures
#   CAPTURE.nokeys.tls.N.ascii.txt   follow,tls without a key log: the header alone (nothing decrypted)
# where CAPTURE is the path under samples/ with '/' replaced by '__'.
#
# tshark runs with LC_ALL=C.UTF-8, TZ=UTC and HOME set to an empty temporary directory, so no personal
# Wireshark preferences or profiles are read (as tests/golden/make-golden.sh).
set -euo pipefail

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$OUT_DIR/../../.." && pwd)"
SAMPLES_DIR="$ROOT/samples"

# shellcheck source=../tshark-env.sh
source "$OUT_DIR/../tshark-env.sh"

# capture (under samples/), key log (under samples/, or - for none), modes (all, or ascii), tcp.stream numbers
TLS_CASES=(
    "test-site-tls12.pcapng test-site-tls12.keys all 0"
    "tls13.pcapng tls13.keys all 0"
    "test-site-tls12-dsb.pcapng - all 0"
    "ipv6.pcap ipv6.keys all 0"
    "lossy.pcap lossy.keys ascii 0"
    "ciphers/tls10-cbc.pcapng ciphers/tls10-cbc.keys all 0"
    "ciphers/tls12-chacha20.pcapng ciphers/tls12-chacha20.keys all 0"
    "ciphers/tls12-renegotiation.pcapng ciphers/tls12-renegotiation.keys all 0"
    "ciphers/tls12-resumed.pcapng ciphers/tls12-resumed.keys all 0 1"
    "ciphers/tls13-keyupdate.pcapng ciphers/tls13-keyupdate.keys all 0"
    "ciphers/tls13-early-data.pcapng ciphers/tls13-early-data.keys all 0 1"
    "ciphers/tls13-hrr.pcapng ciphers/tls13-hrr.keys all 0"
)
# capture, modes, tcp.stream
TCP_CASES=(
    "test-site-tls12.pcapng all 0"
    "ipv6.pcap all 0"
    "lossy.pcap ascii 0"
)
MODES=(ascii hex raw yaml)

name_of() { printf '%s' "${1//\//__}"; }

rm -f "$OUT_DIR"/*.txt
for case in "${TLS_CASES[@]}"; do
    read -r cap keys which streams <<<"$case"
    read -r -a streams <<<"$streams"
    modes=("${MODES[@]}"); [[ $which == ascii ]] && modes=(ascii)
    keyopt=()
    [[ $keys != - ]] && keyopt=(-o "tls.keylog_file:$SAMPLES_DIR/$keys")
    for n in "${streams[@]}"; do
        for mode in "${modes[@]}"; do
            run_tshark -r "$SAMPLES_DIR/$cap" "${keyopt[@]}" -q -z "follow,tls,$mode,$n" >"$OUT_DIR/$(name_of "$cap").tls.$n.$mode.txt"
        done
    done
done
for case in "${TCP_CASES[@]}"; do
    read -r cap which n <<<"$case"
    modes=("${MODES[@]}"); [[ $which == ascii ]] && modes=(ascii)
    for mode in "${modes[@]}"; do
        run_tshark -r "$SAMPLES_DIR/$cap" -q -z "follow,tcp,$mode,$n" >"$OUT_DIR/$(name_of "$cap").tcp.$n.$mode.txt"
    done
done
run_tshark -r "$SAMPLES_DIR/test-site-tls12.pcapng" -q -z follow,tls,ascii,0 >"$OUT_DIR/test-site-tls12.pcapng.nokeys.tls.0.ascii.txt"
run_tshark --version | head -1 >"$OUT_DIR/TSHARK_VERSION"
echo "==> wrote $(ls "$OUT_DIR"/*.txt | wc -l) files to $OUT_DIR ($(cat "$OUT_DIR/TSHARK_VERSION"))" >&2
