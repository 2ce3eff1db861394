#!/usr/bin/env bash
# compare.sh - time HttpsFlow against tshark on a large capture.
#
# Usage:  bench/compare.sh [CAPTURE] [CAPTURE_2X]
#         CAPTURE     default bench/data/large.pcap (make it with
#                     sudo bench/make-large-capture.sh)
#         CAPTURE_2X  optional, a capture about twice as large, e.g. from
#                     sudo bench/make-large-capture.sh bench/data/large2x.pcap 6000
#                     Both tools also run on it, to show whether peak memory
#                     grows with the size of the file.
#
# Publishes the CLI as a native (ahead-of-time compiled) executable into
# bench/out/aot (falls back to a Release JIT build in bench/out/cli when native
# compilation is not available, or with BUILD=jit), then runs `httpsflow list CAPTURE >/dev/null` and
# `tshark -n -r CAPTURE >/dev/null` RUNS times each (default 3) under
# /usr/bin/time and prints the median wall time and median peak RSS.
#
# Environment:
#   KEYLOG=FILE     decrypt: httpsflow list --keylog FILE and tshark -o tls.keylog_file:FILE
#                   (bench/data/large.keys is the key log make-large-capture.sh writes)
#   HTTPSFLOW=PATH  use this httpsflow executable, do not build
#   RUNS=N          runs per tool and capture (default 3)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
CAPTURE=${1:-$BENCH_DIR/data/large.pcap}
CAPTURE_2X=${2:-}
RUNS=${RUNS:-3}

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
[[ -f $CAPTURE ]] || die "capture '$CAPTURE' not found; make it with: sudo bench/make-large-capture.sh"
[[ -r $CAPTURE ]] || die "capture '$CAPTURE' is not readable"
if [[ -n $CAPTURE_2X ]]; then
    [[ -f $CAPTURE_2X && -r $CAPTURE_2X ]] || die "capture '$CAPTURE_2X' not found or not readable"
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found; install it with: apt-get install -y time"
command -v tshark >/dev/null 2>&1 || die "tshark not found; install it with: apt-get install -y tshark"

if [[ -n ${HTTPSFLOW:-} ]]; then
    HTTPSFLOW_BIN=$HTTPSFLOW
    log "using HTTPSFLOW=$HTTPSFLOW_BIN (no build)"
else
    command -v dotnet >/dev/null 2>&1 || die "dotnet not found; install the .NET 10 SDK (or set HTTPSFLOW=/path/to/httpsflow)"
    [[ -d $ROOT/src/HttpsFlow.Cli ]] || die "$ROOT/src/HttpsFlow.Cli does not exist"
    if [[ ${BUILD:-aot} == aot ]] && (cd "$ROOT" && log "publishing src/HttpsFlow.Cli (native AOT) into bench/out/aot" &&
        dotnet publish src/HttpsFlow.Cli -c Release -r linux-x64 -p:PublishAot=true -o bench/out/aot -nologo -v quiet >&2); then
        HTTPSFLOW_BIN=$BENCH_DIR/out/aot/httpsflow
    else
        log "building src/HttpsFlow.Cli (Release, JIT) into bench/out/cli"
        (cd "$ROOT" && dotnet build src/HttpsFlow.Cli -c Release -o bench/out/cli -nologo -v quiet) ||
            die "dotnet build failed"
        HTTPSFLOW_BIN=$BENCH_DIR/out/cli/httpsflow
    fi
fi
[[ -f $HTTPSFLOW_BIN ]] || die "httpsflow executable '$HTTPSFLOW_BIN' not found"
[[ -x $HTTPSFLOW_BIN ]] || die "'$HTTPSFLOW_BIN' is not executable"

WORK="$(mktemp -d /tmp/httpsflow-compare.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"      # empty HOME: tshark reads no personal preferences

# measure LABEL CMD... : runs CMD RUNS times with stdout to /dev/null, prints
# "MEDIAN_SECONDS MEDIAN_PEAK_RSS_KB".  Fails if any run fails.
measure() {
    local label=$1; shift
    local i line secs=() rss=()
    local t0 t1
    for ((i = 1; i <= RUNS; i++)); do
        t0=$(date +%s%N)
        if ! env HOME="$WORK/home" LC_ALL=C.UTF-8 TZ=UTC \
            /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr"; then
            sed -n '1,20p' "$WORK/stderr" >&2
            die "$label failed (run $i): $(head -1 "$WORK/time")"
        fi
        t1=$(date +%s%N)
        # wall time from the clock (milliseconds matter here); peak RSS from /usr/bin/time
        line="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') $(tail -1 "$WORK/time" | cut -d' ' -f2)"
        secs+=("${line% *}")
        rss+=("${line#* }")
        log "$label run $i: ${line% *} s, $((${line#* } / 1024)) MB"
    done
    printf '%s %s\n' "$(median "${secs[@]}")" "$(median "${rss[@]}")"
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

describe() { # packets and size of a capture
    local packets size
    packets=$(capinfos -c -M "$1" 2>/dev/null | sed -n 's/^Number of packets: *//p')
    size=$(stat -c %s "$1")
    printf '%s packets, %s MB' "${packets:-?}" "$(awk -v b="$size" 'BEGIN {printf "%.1f", b / 1048576}')"
}

OUR_KEYS=() TSHARK_KEYS=()
if [[ -n ${KEYLOG:-} ]]; then
    [[ -r $KEYLOG ]] || die "key log '$KEYLOG' not found or not readable"
    OUR_KEYS=(--keylog "$KEYLOG")
    TSHARK_KEYS=(-o "tls.keylog_file:$KEYLOG")
fi

declare -A SECS RSS
run_capture() { # run_capture KEY CAPTURE
    local key=$1 cap=$2 r
    log "capture $key: $cap ($(describe "$cap"))"
    r=$(measure "httpsflow [$key]" "$HTTPSFLOW_BIN" list "${OUR_KEYS[@]}" "$cap")
    SECS[httpsflow.$key]=${r% *}; RSS[httpsflow.$key]=${r#* }
    r=$(measure "tshark [$key]" tshark -n -r "$cap" "${TSHARK_KEYS[@]}")
    SECS[tshark.$key]=${r% *}; RSS[tshark.$key]=${r#* }
}

keys=(1x)
run_capture 1x "$CAPTURE"
if [[ -n $CAPTURE_2X ]]; then
    keys+=(2x)
    run_capture 2x "$CAPTURE_2X"
fi

echo
echo "tshark: $(tshark --version 2>/dev/null | head -1)"
echo "httpsflow: $HTTPSFLOW_BIN"
echo "1x: $CAPTURE ($(describe "$CAPTURE"))"
[[ -z $CAPTURE_2X ]] || echo "2x: $CAPTURE_2X ($(describe "$CAPTURE_2X"))"
[[ -z ${KEYLOG:-} ]] || echo "decrypting with: $KEYLOG"
echo "median of $RUNS runs"
echo
printf '%-10s %-8s %12s %14s\n' tool capture 'seconds' 'peak RSS MB'
printf '%-10s %-8s %12s %14s\n' ---------- -------- ------------ --------------
for key in "${keys[@]}"; do
    for tool in httpsflow tshark; do
        printf '%-10s %-8s %12.3f %14.1f\n' "$tool" "$key" "${SECS[$tool.$key]}" \
            "$(awk -v k="${RSS[$tool.$key]}" 'BEGIN {print k / 1024}')"
    done
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
for key in "${keys[@]}"; do
    echo "time ratio tshark/httpsflow ($key): $(ratio "${SECS[tshark.$key]}" "${SECS[httpsflow.$key]}")x"
done
if [[ -n $CAPTURE_2X ]]; then
    for tool in httpsflow tshark; do
        echo "peak RSS growth 2x/1x ($tool): $(ratio "${RSS[$tool.2x]}" "${RSS[$tool.1x]}")x"
    done
fi
