#!/bin/sh
# Regenerates tshark's detail trees that tests/HttpsFlow.Tests/Golden/ShowGoldenTests.cs compares `httpsflow show` with.
# Run from the repository root with tshark 4.0 on PATH (names never resolved: -n).
set -e
cd "$(dirname "$0")/../../.."
for s in test-site-tls12.pcapng tls13.pcapng; do
    tshark -n -V -r "samples/$s" > "tests/golden/show/$s.V.txt"
done
