#!/usr/bin/env bash
# make-golden.sh - write the tshark reference outputs for every capture in
# samples/ into tests/golden/.  HttpsFlow's output is compared with these.
#
# Usage:  tests/golden/make-golden.sh
#
# For each capture samples/NAME (*.pcap, *.pcapng, *.pcap.gz) it writes
#   NAME.list.txt            `tshark -n -r NAME` (default columns; -n because HttpsFlow
#                            never resolves names, MAC vendor names included)
#   NAME.list-decrypted.txt  the same with `-o tls.keylog_file:KEYS`, when
#                            samples/ has a key log for the capture
#   NAME.fields.tsv          every field in fields.txt (`-T fields -E header=y`), one row per packet
#   NAME.conv-tcp.txt        `tshark -n -q -z conv,tcp -r NAME` (the TCP conversation table)
# and TSHARK_VERSION (first line of `tshark --version`); for each DTLS capture samples/dtls/NAME (made by
# samples/make-dtls-sample.sh) only dtls/NAME.list.txt.
#
# tshark runs with LC_ALL=C.UTF-8, TZ=UTC and HOME set to an empty temporary
# directory, so no personal Wireshark preferences or profiles are read.
set -euo pipefail

GOLDEN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$GOLDEN_DIR/../.." && pwd)"
SAMPLES_DIR="$ROOT/samples"

# shellcheck source=tshark-env.sh
source "$GOLDEN_DIR/tshark-env.sh"

keylog_for() { # keylog_for CAPTURE-NAME -> key log path, or nothing
    local name=$1 base
    case "$name" in
        *.pcap.gz) base="${name%.pcap.gz}-gz" ;;
        *.pcapng)  base="${name%.pcapng}" ;;
        *.pcap)    base="${name%.pcap}" ;;
    esac
    if [[ -f $SAMPLES_DIR/$base.keys ]]; then
        printf '%s\n' "$SAMPLES_DIR/$base.keys"
    fi
}

shopt -s nullglob
captures=("$SAMPLES_DIR"/*.pcap "$SAMPLES_DIR"/*.pcapng "$SAMPLES_DIR"/*.pcap.gz)
((${#captures[@]})) || { echo "ERROR: no captures in $SAMPLES_DIR; run: sudo samples/make-samples.sh" >&2; exit 1; }

# Every field HttpsFlow knows (tests/golden/fields.txt, from `httpsflow fields --list`), for NAME.fields.tsv.
all_fields=()
while read -r f; do [[ -n $f ]] && all_fields+=(-e "$f"); done <"$GOLDEN_DIR/fields.txt"


run_tshark --version | head -1 >"$GOLDEN_DIR/TSHARK_VERSION"

# Remove outputs of captures that no longer exist.
for old in "$GOLDEN_DIR"/*.list.txt "$GOLDEN_DIR"/*.list-decrypted.txt "$GOLDEN_DIR"/*.conv-tcp.txt "$GOLDEN_DIR"/*.fields.tsv; do
    name=$(basename "$old"); name=${name%.list.txt}; name=${name%.list-decrypted.txt}
    name=${name%.conv-tcp.txt}; name=${name%.fields.tsv}
    [[ -e $SAMPLES_DIR/$name ]] || rm -f "$old"
done

for cap in "${captures[@]}"; do
    name=$(basename "$cap")
    echo "==> $name" >&2
    run_tshark -n -r "$cap" >"$GOLDEN_DIR/$name.list.txt"
    run_tshark -n -q -z conv,tcp -r "$cap" >"$GOLDEN_DIR/$name.conv-tcp.txt"
    run_tshark -n -r "$cap" -T fields -E header=y -E separator=/t "${all_fields[@]}" >"$GOLDEN_DIR/$name.fields.tsv"
    keys=$(keylog_for "$name")
    if [[ -n $keys ]]; then
        run_tshark -n -r "$cap" -o "tls.keylog_file:$keys" >"$GOLDEN_DIR/$name.list-decrypted.txt"
    else
        rm -f "$GOLDEN_DIR/$name.list-decrypted.txt"
    fi
done
echo "==> wrote $(ls "$GOLDEN_DIR" | grep -cE '\.(txt|tsv)$') files to $GOLDEN_DIR ($(cat "$GOLDEN_DIR/TSHARK_VERSION"))" >&2

# The DTLS captures of samples/dtls: the packet list only.
mkdir -p "$GOLDEN_DIR/dtls"
rm -f "$GOLDEN_DIR/dtls/"*.list.txt
for cap in "$SAMPLES_DIR"/dtls/*.pcap "$SAMPLES_DIR"/dtls/*.pcapng; do
    run_tshark -n -r "$cap" >"$GOLDEN_DIR/dtls/$(basename "$cap").list.txt"
done

# The edge-case captures of tests/edge (made by tests/edge/make-edge.sh): the packet list and the TCP
# conversation table.
EDGE_DIR="$ROOT/tests/edge"
mkdir -p "$EDGE_DIR/golden"
rm -f "$EDGE_DIR/golden/"*.list.txt "$EDGE_DIR/golden/"*.conv-tcp.txt "$EDGE_DIR/golden/"*.fields.tsv
for cap in "$EDGE_DIR"/*.pcap "$EDGE_DIR"/*.pcapng; do
    name=$(basename "$cap")
    run_tshark -n -r "$cap" >"$EDGE_DIR/golden/$name.list.txt"
    run_tshark -n -q -z conv,tcp -r "$cap" >"$EDGE_DIR/golden/$name.conv-tcp.txt"
    run_tshark -n -r "$cap" -T fields -E header=y -E separator=/t "${all_fields[@]}" >"$EDGE_DIR/golden/$name.fields.tsv"
done
echo "==> wrote $(ls "$EDGE_DIR/golden" | wc -l) files to $EDGE_DIR/golden" >&2
