#!/usr/bin/env bash
# make-http-golden.sh - write tshark's reference outputs for the HTTP/1.1 and HTTP/2 samples in samples/http/
# (made by samples/make-http-samples.sh) into tests/golden/http/, plus the TLS stream follow outputs of the two
# decryptable test-site samples samples/test-site-tls12.pcapng and samples/tls13.pcapng.
#
# Usage:  tests/golden/http/make-http-golden.sh
#
# For each capture samples/http/NAME.pcapng, with its key log samples/http/NAME.keys (KEYS below):
#   NAME.pcapng.list.txt             `tshark -n -r NAME`
#   NAME.pcapng.list-decrypted.txt   `tshark -n -r NAME -o tls.keylog_file:KEYS`
#   NAME.pcapng.http-fields.tsv      `tshark -n -r NAME -o tls.keylog_file:KEYS -T fields -E header=y
#                                    -e frame.number -e _ws.col.Protocol -e _ws.col.Info -e ...` (HTTP_FIELDS
#                                    below), one row per packet
#   NAME.pcapng.follow-tls-ascii.txt `tshark -n -q -r NAME -o tls.keylog_file:KEYS -z follow,tls,ascii,0`
#   NAME.pcapng.follow-tls-hex.txt   the same with follow,tls,hex,0
# and the two follow outputs for samples/test-site-tls12.pcapng and samples/tls13.pcapng.
#
# Same environment as ../make-golden.sh: LC_ALL=C.UTF-8, TZ=UTC, HOME an empty temporary directory and
# WIRESHARK_CONFIG_DIR unset, so only tshark's built-in defaults apply.
set -euo pipefail

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$OUT_DIR/../../.." && pwd)"
SAMPLES_DIR="$ROOT/samples"

# shellcheck source=../tshark-env.sh
source "$OUT_DIR/../tshark-env.sh"

HTTP_FIELDS=(
    frame.number _ws.col.Protocol _ws.col.Info
    http.request.method http.request.uri http.request.version http.host http.user_agent
    http.response.code http.response.phrase http.content_type http.content_length_header http.file_data
    http2.type http2.streamid http2.flags http2.length http2.header.name http2.header.value
    http2.headers.method http2.headers.path http2.headers.status http2.headers.authority
    http2.settings.id http2.window_update.window_size_increment
    tls.app_data_proto frame.protocols tls.record.content_type tls.handshake.type
    _ws.expert _ws.expert.message _ws.expert.group _ws.expert.severity _ws.malformed
)
field_args=()
for f in "${HTTP_FIELDS[@]}"; do field_args+=(-e "$f"); done

follow() { # CAPTURE KEYS
    local name
    name=$(basename "$1")
    run_tshark -n -q -r "$1" -o "tls.keylog_file:$2" -z follow,tls,ascii,0 >"$OUT_DIR/$name.follow-tls-ascii.txt"
    run_tshark -n -q -r "$1" -o "tls.keylog_file:$2" -z follow,tls,hex,0 >"$OUT_DIR/$name.follow-tls-hex.txt"
}

shopt -s nullglob
captures=("$SAMPLES_DIR"/http/*.pcapng)
((${#captures[@]})) || { echo "ERROR: no captures in $SAMPLES_DIR/http; run: sudo samples/make-http-samples.sh" >&2; exit 1; }

rm -f "$OUT_DIR"/*.txt "$OUT_DIR"/*.tsv
run_tshark --version | head -1 >"$OUT_DIR/TSHARK_VERSION"

for cap in "${captures[@]}"; do
    name=$(basename "$cap")
    keys=${cap%.pcapng}.keys
    [[ -f $keys ]] || { echo "ERROR: no key log $keys" >&2; exit 1; }
    echo "==> $name" >&2
    run_tshark -n -r "$cap" >"$OUT_DIR/$name.list.txt"
    run_tshark -n -r "$cap" -o "tls.keylog_file:$keys" >"$OUT_DIR/$name.list-decrypted.txt"
    run_tshark -n -r "$cap" -o "tls.keylog_file:$keys" -T fields -E header=y -E separator=/t "${field_args[@]}" \
        >"$OUT_DIR/$name.http-fields.tsv"
    follow "$cap" "$keys"
done

for name in test-site-tls12 tls13; do
    echo "==> $name.pcapng (follow)" >&2
    follow "$SAMPLES_DIR/$name.pcapng" "$SAMPLES_DIR/$name.keys"
done
echo "==> wrote $(ls "$OUT_DIR" | grep -cE '\.(txt|tsv)$') files to $OUT_DIR ($(cat "$OUT_DIR/TSHARK_VERSION"))" >&2
