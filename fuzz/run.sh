#!/usr/bin/env bash
# Runs one fuzzing harness under AFL++ for a while:  fuzz/run.sh HARNESS SECONDS
#   HARNESS: capture | packet | tls | dtls | x509 | keylog | filter | reassembly | http1 | hpack | http2
#            (fuzz/HttpsFlow.Fuzz/Harnesses.cs; reassembly: TCP segment sequences, fuzz/HttpsFlow.Fuzz/ReassemblyHarness.cs)
# Needs AFL++ (apt-get install -y afl++) and SharpFuzz's instrumenting tool (dotnet tool install -g
# SharpFuzz.CommandLine --version 2.3.0); both are installed here when missing. Seeds: fuzz/seeds/HARNESS (made by
# `fuzz/run.sh seeds`). Findings land in fuzz/out/HARNESS/default/{crashes,hangs}; replay them with
#   dotnet build fuzz/HttpsFlow.Fuzz -c Release
#   dotnet fuzz/HttpsFlow.Fuzz/bin/Release/net10.0/HttpsFlow.Fuzz.dll HARNESS replay fuzz/out/HARNESS/default/crashes
# (the instrumented build in fuzz/bin runs only under afl-fuzz).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
harness=${1:?usage: fuzz/run.sh HARNESS SECONDS | fuzz/run.sh seeds}
seconds=${2:-600}

command -v afl-fuzz >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q afl++ >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0 >/dev/null

# Build once, then instrument the library (only HttpsFlow.Core: the harness and the runtime stay uninstrumented).
if [[ ! -f bin/.instrumented ]]; then
    rm -rf bin
    dotnet publish HttpsFlow.Fuzz -c Release -o bin >/dev/null
    sharpfuzz bin/HttpsFlow.Core.dll
    touch bin/.instrumented
fi

if [[ $harness == seeds ]]; then
    # Seeds from the samples and the edge captures: whole small captures, and packets, TLS streams and certificates
    # cut out of them, and the http1 conversations written by Seeds.WriteHttp1. The committed fuzz/seeds is this
    # output, trimmed.
    rm -rf seeds && mkdir -p seeds/capture
    for f in ../samples/*.pcap ../samples/*.pcapng ../samples/*.gz ../samples/dtls/*.pcap ../tests/edge/*.pcap*; do
        (( $(stat -c %s "$f") <= 12000 )) && cp "$f" seeds/capture/
    done
    # The instrumented build runs only under afl-fuzz: this uses the plain one.
    dotnet build HttpsFlow.Fuzz -c Release >/dev/null
    dotnet HttpsFlow.Fuzz/bin/Release/net10.0/HttpsFlow.Fuzz.dll seeds seeds ../samples/*.pcap ../samples/*.pcapng ../samples/dtls/*.pcap ../tests/edge/*.pcap*
    exit 0
fi

mkdir -p out
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
# -t: a single input may take up to 5 s (the .NET start is paid once per fork server); -m none: .NET needs its heap.
timeout --signal=INT $((seconds + 30)) afl-fuzz -V "$seconds" -i "seeds/$harness" -o "out/$harness" -t 5000 -m none \
    -- dotnet bin/HttpsFlow.Fuzz.dll "$harness" || true
stats=out/$harness/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
