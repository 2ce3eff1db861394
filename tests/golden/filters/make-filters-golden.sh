#!/usr/bin/env bash
# make-filters-golden.sh - record tshark's answers for the display-filter conformance tables.
#
# Usage:  tests/golden/filters/make-filters-golden.sh
#
# valid.golden.tsv:   CAPTURE <TAB> FILTER <TAB> matching frame numbers (comma-separated; "error" when
#                     tshark rejects the filter), for every filter of valid.txt on every capture of captures.txt,
#                     from `tshark -n -r CAPTURE -Y FILTER -T fields -e frame.number` (one pass, as HttpsFlow).
# invalid.golden.tsv: FILTER <TAB> start <TAB> length of the part tshark underlines (its caret line; -1 -1
#                     when it underlines nothing), for every filter of invalid.txt.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../../.." && pwd)"
command -v tshark >/dev/null || { echo "tshark not found" >&2; exit 1; }
export LC_ALL=C.UTF-8 TZ=UTC HOME="$(mktemp -d)"
trap 'rm -rf "$HOME"' EXIT
cd "$ROOT"

filters() { grep -v '^#' "$1" | grep -v '^[[:space:]]*$' | sed 's/^pending\t//'; }

one_valid() {
    local capture=$1 filter=$2 out
    if out=$(tshark -n -r "$capture" -Y "$filter" -T fields -e frame.number 2>/dev/null); then
        printf '%s\t%s\t%s\n' "$capture" "$filter" "$(printf '%s' "$out" | paste -sd, -)"
    else
        printf '%s\t%s\terror\n' "$capture" "$filter"
    fi
}
export -f one_valid

mapfile -t captures < <(grep -v '^#' "$DIR/captures.txt" | grep -v '^[[:space:]]*$')
{
    for c in "${captures[@]}"; do
        filters "$DIR/valid.txt" | while IFS= read -r f; do printf '%s\0%s\0' "$c" "$f"; done
    done
} | xargs -0 -n 2 -P "${JOBS:-2}" bash -c 'one_valid "$0" "$1"' | sort -t$'\t' -k1,1 -k2,2 >"$DIR/valid.golden.tsv"

filters "$DIR/invalid.txt" | while IFS= read -r f; do
    err=$(tshark -n -r samples/mixed.pcapng -Y "$f" 2>&1 >/dev/null || true)
    caret=$(printf '%s\n' "$err" | grep -E '^ *\^~*$' | tail -1 || true)
    if [[ -z $caret ]]; then
        printf '%s\t-1\t-1\n' "$f"
    else
        lead=${caret%%^*}
        printf '%s\t%d\t%d\n' "$f" $(( ${#lead} - 4 )) $(( ${#caret} - ${#lead} ))
    fi
done >"$DIR/invalid.golden.tsv"
tshark --version | head -1 >"$DIR/TSHARK_VERSION"
echo "wrote $DIR/valid.golden.tsv ($(wc -l <"$DIR/valid.golden.tsv") rows) and invalid.golden.tsv ($(wc -l <"$DIR/invalid.golden.tsv") rows)"
