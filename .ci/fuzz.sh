#!/usr/bin/env bash
# A short fuzzing pass over request decoding, whole wire requests and the
# crypto envelopes: each target runs for FUZZTIME (default 8s), one at a
# time, about a minute in all. A failure leaves its input under the package's
# testdata/fuzz/<Target>/ — commit it and it becomes a regression test that
# plain `go test` replays.
#
#   .ci/fuzz.sh                 # every target, 8s each
#   FUZZTIME=60s .ci/fuzz.sh    # longer
#
# SUPERAPP_TEST_POSTGRES, when set, makes FuzzWireRequest run its platform on
# PostgreSQL (which refuses NUL and invalid UTF-8 text) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
FUZZTIME="${FUZZTIME:-8s}"

targets=(
  "./internal/wire FuzzDecodeJSON"
  "./internal/wire FuzzWireRequest"
  "./internal/wxcrypto FuzzEnvelopeOpen"
  "./internal/wxcrypto FuzzOpenData"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== fuzz $name ($pkg, $FUZZTIME)"
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$pkg"
done
