#!/usr/bin/env bash
# make-cipher-golden.sh - write tshark's decrypted packet list and TLS/HTTP fields of every capture in
# samples/ciphers/ (made by samples/make-cipher-samples.sh) into tests/golden/ciphers/.
#
# Usage:  tests/golden/ciphers/make-cipher-golden.sh
#
# For each capture samples/ciphers/NAME.pcapng with its key log samples/ciphers/NAME.keys:
#   NAME.pcapng.list-decrypted.txt   `tshark -n -r NAME -o tls.keylog_file:KEYS`
#   NAME.pcapng.decrypted-fields.tsv `tshark -n -r NAME -o tls.keylog_file:KEYS -T fields -E header=y -e ...`
#                                    (FIELDS below), one row per packet
# Same environment as ../make-golden.sh: LC_ALL=C.UTF-8, TZ=UTC, HOME an empty temporary directory.
set -euo pipefail

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$OUT_DIR/../../.." && pwd)"

# shellcheck source=../tshark-env.sh
source "$OUT_DIR/../tshark-env.sh"

FIELDS=(
    frame.number _ws.col.Protocol _ws.col.Info
    tls.record.content_type tls.record.opaque_type tls.record.length tls.handshake.type tls.handshake.length
    tls.handshake.verify_data tls.alert_message.level tls.alert_message.desc
    http.request.method http.request.uri http.request.version http.host http.response.code http.response.phrase
    http.content_type http.file_data
    _ws.expert _ws.expert.message _ws.expert.group _ws.expert.severity _ws.malformed
)
field_args=()
for f in "${FIELDS[@]}"; do field_args+=(-e "$f"); done

rm -f "$OUT_DIR"/*.txt "$OUT_DIR"/*.tsv
run_tshark --version | head -1 >"$OUT_DIR/TSHARK_VERSION"
for cap in "$ROOT"/samples/ciphers/*.pcapng; do
    name=$(basename "$cap")
    keys=${cap%.pcapng}.keys
    echo "==> $name" >&2
    run_tshark -n -r "$cap" -o "tls.keylog_file:$keys" >"$OUT_DIR/$name.list-decrypted.txt"
    run_tshark -n -r "$cap" -o "tls.keylog_file:$keys" -T fields -E header=y "${field_args[@]}" >"$OUT_DIR/$name.decrypted-fields.tsv"
done
