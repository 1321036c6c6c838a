#!/usr/bin/env bash
# tests/e2e/test_transfer.sh with the XDP tier carrying the media: the flows
# re-pointed by a transfer are XDP map entries rewritten in place.
RR_DP=xdp exec "$(dirname "$0")/test_transfer.sh" "$@"
