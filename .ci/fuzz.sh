#!/usr/bin/env bash
# A short fuzzing pass over request decoding, whole wire requests and the
# crypto envelopes, one target at a time, about a minute in all. A failure
# leaves its input under the package's testdata/fuzz/<Target>/ — commit it
# and it becomes a regression test that plain `go test` replays.
#
# Each target runs a fixed number of executions, not a duration: with a
# duration (-fuzztime 8s) Go 1.26's fuzz coordinator can report "context
# deadline exceeded" at the deadline when a worker is mid-call on a busy
# machine, a failure without any failing input (golang/go#75804, fixed in
# Go 1.27). The counts are about eight seconds' worth on the CI machine.
#
#   .ci/fuzz.sh                 # every target, its count
#   FUZZTIME=60s .ci/fuzz.sh    # every target for a duration instead (or e.g. 1000000x)
#
# SUPERAPP_TEST_POSTGRES, when set, makes FuzzWireRequest run its platform on
# PostgreSQL (which refuses NUL and invalid UTF-8 text) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

targets=(
  "./internal/wire FuzzDecodeJSON 10000x"
  "./internal/wire FuzzWireRequest 1000x"
  "./internal/wxcrypto FuzzEnvelopeOpen 200000x"
  "./internal/wxcrypto FuzzOpenData 150000x"
)
for t in "${targets[@]}"; do
  read -r pkg name count <<<"$t"
  budget="${FUZZTIME:-$count}"
  echo "== fuzz $name ($pkg, $budget)"
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="$budget" "$pkg"
done
