#!/usr/bin/env bash
# End-to-end test of the mini program runtime: installs the npm dev
# packages (never a browser), type-checks the sources, checks dist is fresh,
# runs the logic layer's unit tests in node, and e2e/runtime.test.js and
# e2e/components.test.js (the built-in components) in
# Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "run.sh: $CHROMIUM is missing; install Debian's chromium (apt-get install chromium) or set CHROMIUM" >&2
  exit 1
fi

PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc --noEmit -p .
(cd ../.. && go run ./web/miniprogram/build -check)
node --test test/
CHROMIUM="$CHROMIUM" node --test --test-concurrency=1 e2e/runtime.test.js e2e/components.test.js
