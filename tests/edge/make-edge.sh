#!/usr/bin/env bash
# make-edge.sh - rebuild the synthetic edge-case captures of tests/edge from their generators (python3, no
# dependencies), then record tshark's output for them: tests/golden/make-golden.sh.
#
# t?.py write one pcap each with pk.py's byte-level builder; the cases are listed in README.md.
# veth-frag-arp-nd.pcap, any-sll-arp.pcap and any-sll2-arp.pcap are real captures (see README.md), not generated.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for g in t?.py; do
    python3 "$g"
done
echo "==> $(ls t?.pcap t?.pcapng t?_*.pcap 2>/dev/null | wc -l) captures written; now run tests/golden/make-golden.sh" >&2
