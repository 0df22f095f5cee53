#!/usr/bin/env bash
# End-to-end test of the shell: installs the npm packages (never a browser),
# makes sure Debian's chromium is there, type-checks the sources and runs
# e2e/shell.test.js, e2e/oa.test.js, e2e/miniprogram.test.js,
# e2e/fixtures.test.js (the fixture mini programs of testdata/miniprograms),
# e2e/devloop.test.js, e2e/isolation.test.js and e2e/apitour.test.js, each
# against a freshly started server.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: installing Debian's chromium" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "run.sh: $CHROMIUM is missing; install Debian's chromium (apt-get install chromium) or set CHROMIUM" >&2
    exit 1
  fi
fi

PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc --noEmit -p .
CHROMIUM="$CHROMIUM" node --test --test-concurrency=1 e2e/shell.test.js e2e/oa.test.js e2e/miniprogram.test.js e2e/fixtures.test.js e2e/devloop.test.js e2e/isolation.test.js e2e/apitour.test.js e2e/subscribe.test.js e2e/codes.test.js e2e/platform.test.js e2e/oa_miniprograms.test.js e2e/nearby.test.js
