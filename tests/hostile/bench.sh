#!/usr/bin/env bash
# Peak memory (maximum resident set) and time of the CLI on the large hostile captures (make-hostile.py):
#   tests/hostile/bench.sh [OUTDIR [NAME...]]   (NAMEs: only those captures)
# Prints one row per capture and command; docs/robustness.md quotes a run of it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${1:-/tmp/httpsflow-hostile}
shift || true
python3 tests/hostile/make-hostile.py "$out" "$@" >/dev/null
dotnet build src/HttpsFlow.Cli -c Release >/dev/null
cli=src/HttpsFlow.Cli/bin/Release/net10.0/httpsflow.dll
printf '%-22s %-11s %5s %8s %9s\n' capture command exit seconds peak_MiB
files=("$out"/*)
(( $# > 0 )) && files=("${@/#/$out/}")
for f in "${files[@]}"; do
    for cmd in list fields explain handshakes; do
        args=("$cmd")
        [[ $cmd == fields ]] && args+=(-e tcp.stream -e tls.handshake.type)
        set +e
        /usr/bin/time -f '%e %M' -o /tmp/hostile-time dotnet "$cli" "${args[@]}" "$f" >/dev/null 2>/tmp/hostile-err
        rc=$?
        set -e
        read -r secs kb < <(tail -1 /tmp/hostile-time)
        grep -q 'internal error\|   at ' /tmp/hostile-err && echo "!! $cmd $f: $(head -1 /tmp/hostile-err)"
        printf '%-22s %-11s %5s %8s %9s\n' "$(basename "$f")" "$cmd" "$rc" "$secs" "$((kb / 1024))"
    done
done
