#!/bin/sh
# Regenerates tshark's detail trees that tests/HttpsFlow.Tests/Tree/ShowGoldenTests.cs compares `httpsflow show` with
# (gzip-compressed: lossy.pcap's is 1.4 MB as text). Run from anywhere with tshark 4.0 on PATH; names never resolved (-n).
set -e
cd "$(dirname "$0")/../../.."
for s in test-site-tls12.pcapng tls13.pcapng lossy.pcap mixed.pcapng; do
    TZ=UTC LC_ALL=C.UTF-8 tshark -n -V -r "samples/$s" | gzip -9n > "tests/golden/show/$s.V.txt.gz"
done
