#!/usr/bin/env bash
# tests/e2e/test_b2bua.sh with the XDP tier carrying the media (flow counters
# of the XDP maps, no relay socket).
RR_DP=xdp exec "$(dirname "$0")/test_b2bua.sh" "$@"
