#!/usr/bin/env bash
# memory.sh - wall time and peak memory of HttpsFlow and tshark on one or
# more captures, to show whether peak memory grows with the capture.
#
# Usage:  bench/memory.sh [CAPTURE...]
#         CAPTURE  default bench/data/lossy-large.pcap (make it with
#                  sudo bench/make-lossy-capture.sh).  Give two captures of
#                  different sizes, e.g.
#                    sudo bench/make-lossy-capture.sh bench/data/lossy-200.pcap 200
#                    sudo bench/make-lossy-capture.sh bench/data/lossy-400.pcap 400
#                    bench/memory.sh bench/data/lossy-200.pcap bench/data/lossy-400.pcap
#
# For each capture, runs with stdout to /dev/null, under /usr/bin/time -f '%e %M':
#   httpsflow list CAPTURE
#   httpsflow conversations CAPTURE
#   httpsflow fields -e tcp.seq -e tcp.analysis.ack_rtt CAPTURE
#   tshark -n -r CAPTURE
#   tshark -n -r CAPTURE -q -z conv,tcp                             (as conversations)
#   tshark -n -r CAPTURE -T fields -e tcp.seq -e tcp.analysis.ack_rtt  (as fields)
# and prints a table of wall seconds and peak RSS in MB (median of RUNS runs;
# a row per command, two columns per capture),
# then, with two or more captures, how much each command's peak RSS grew from
# the first capture to the last.
#
# httpsflow is the native (ahead-of-time compiled) build that bench/compare.sh
# makes in bench/out/aot; it is published the same way when it is missing or
# older than a file under src/.
#
# Environment:
#   HTTPSFLOW=PATH  use this httpsflow executable, do not build
#   RUNS=N          runs per command and capture (default 1)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RUNS=${RUNS:-1}
if (($# == 0)); then set -- "$BENCH_DIR/data/lossy-large.pcap"; fi
CAPTURES=("$@")

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
for cap in "${CAPTURES[@]}"; do
    [[ -f $cap ]] || die "capture '$cap' not found; make one with: sudo bench/make-lossy-capture.sh"
    [[ -r $cap ]] || die "capture '$cap' is not readable"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found; install it with: apt-get install -y time"
command -v tshark >/dev/null 2>&1 || die "tshark not found; install it with: apt-get install -y tshark"
command -v capinfos >/dev/null 2>&1 || die "capinfos not found; install it with: apt-get install -y wireshark-common"

if [[ -n ${HTTPSFLOW:-} ]]; then
    HTTPSFLOW_BIN=$HTTPSFLOW
    log "using HTTPSFLOW=$HTTPSFLOW_BIN (no build)"
else
    HTTPSFLOW_BIN=$BENCH_DIR/out/aot/httpsflow
    reason=""
    if [[ ! -x $HTTPSFLOW_BIN ]]; then
        reason="missing"
    elif [[ -n $(find "$ROOT/src" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$HTTPSFLOW_BIN" -print -quit) ]]; then
        reason="older than src/"
    fi
    if [[ -n $reason ]]; then
        command -v dotnet >/dev/null 2>&1 || die "dotnet not found; install the .NET 10 SDK (or set HTTPSFLOW=/path/to/httpsflow)"
        log "bench/out/aot/httpsflow is $reason: publishing src/HttpsFlow.Cli (native AOT) into bench/out/aot"
        (cd "$ROOT" && dotnet publish src/HttpsFlow.Cli -c Release -r linux-x64 -p:PublishAot=true \
            -o bench/out/aot -nologo -v quiet >&2) || die "dotnet publish failed"
    fi
fi
[[ -x $HTTPSFLOW_BIN ]] || die "httpsflow executable '$HTTPSFLOW_BIN' not found or not executable"

WORK="$(mktemp -d /tmp/httpsflow-memory.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"      # empty HOME: tshark reads no personal preferences

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# measure LABEL CMD... : runs CMD RUNS times with stdout to /dev/null and
# prints "MEDIAN_SECONDS MEDIAN_PEAK_RSS_KB" (from /usr/bin/time -f '%e %M').
measure() {
    local label=$1; shift
    local i line secs=() rss=()
    for ((i = 1; i <= RUNS; i++)); do
        if ! env HOME="$WORK/home" LC_ALL=C.UTF-8 TZ=UTC \
            /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr"; then
            sed -n '1,20p' "$WORK/stderr" >&2
            die "$label failed (run $i): $(head -1 "$WORK/time")"
        fi
        line=$(tail -1 "$WORK/time")
        secs+=("${line% *}")
        rss+=("${line#* }")
        log "$label run $i: ${line% *} s, $((${line#* } / 1024)) MB"
    done
    printf '%s %s\n' "$(median "${secs[@]}")" "$(median "${rss[@]}")"
}

NAMES=("httpsflow list" "httpsflow conversations" "httpsflow fields"
       "tshark -n -r" "tshark conv,tcp" "tshark fields")
command_for() { # command_for INDEX CAPTURE -> sets CMD
    case $1 in
        0) CMD=("$HTTPSFLOW_BIN" list "$2") ;;
        1) CMD=("$HTTPSFLOW_BIN" conversations "$2") ;;
        2) CMD=("$HTTPSFLOW_BIN" fields -e tcp.seq -e tcp.analysis.ack_rtt "$2") ;;
        3) CMD=(tshark -n -r "$2") ;;
        4) CMD=(tshark -n -r "$2" -q -z conv,tcp) ;;
        5) CMD=(tshark -n -r "$2" -T fields -e tcp.seq -e tcp.analysis.ack_rtt) ;;
    esac
}

declare -A SECS RSS PACKETS SIZE_MB
for c in "${!CAPTURES[@]}"; do
    cap=${CAPTURES[$c]}
    PACKETS[$c]=$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
    SIZE_MB[$c]=$(awk -v b="$(stat -c %s "$cap")" 'BEGIN {printf "%.1f", b / 1048576}')
    log "capture $((c + 1)): $cap (${PACKETS[$c]:-?} packets, ${SIZE_MB[$c]} MB)"
    for i in "${!NAMES[@]}"; do
        command_for "$i" "$cap"
        r=$(measure "${NAMES[$i]} [$((c + 1))]" "${CMD[@]}")
        SECS[$c.$i]=${r% *}
        RSS[$c.$i]=${r#* }
    done
done

echo
echo "tshark: $(tshark --version 2>/dev/null | head -1)"
echo "httpsflow: $HTTPSFLOW_BIN"
echo "machine: $(nproc) cores, $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM"
for c in "${!CAPTURES[@]}"; do
    echo "capture $((c + 1)): ${CAPTURES[$c]} (${PACKETS[$c]:-?} packets, ${SIZE_MB[$c]} MB)"
done
((RUNS == 1)) && echo "one run each" || echo "median of $RUNS runs"
echo
# one row per command, one "seconds / peak RSS MB" pair of columns per capture
printf '%-24s' ''
for c in "${!CAPTURES[@]}"; do printf ' %20s' "capture $((c + 1))"; done
printf '\n%-24s' command
for c in "${!CAPTURES[@]}"; do printf ' %8s %11s' seconds 'peak RSS MB'; done
printf '\n%-24s' ------------------------
for c in "${!CAPTURES[@]}"; do printf ' %8s %11s' -------- -----------; done
printf '\n'
for i in "${!NAMES[@]}"; do
    printf '%-24s' "${NAMES[$i]}"
    for c in "${!CAPTURES[@]}"; do
        printf ' %8.2f %11.1f' "${SECS[$c.$i]}" "$(awk -v k="${RSS[$c.$i]}" 'BEGIN {print k / 1024}')"
    done
    printf '\n'
done
last=$((${#CAPTURES[@]} - 1))
if ((last > 0)); then
    echo
    echo "peak RSS growth, capture $((last + 1)) / capture 1 (packets: $(awk -v a="${PACKETS[$last]}" -v b="${PACKETS[0]}" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')x):"
    for i in "${!NAMES[@]}"; do
        printf '  %-24s %sx\n' "${NAMES[$i]}" "$(awk -v a="${RSS[$last.$i]}" -v b="${RSS[0.$i]}" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')"
    done
fi
