#!/usr/bin/env bash
# tests/e2e/test_metrics.sh with the XDP tier carrying the media (flow and
# global counters read from the XDP maps).
RR_DP=xdp exec "$(dirname "$0")/test_metrics.sh" "$@"
