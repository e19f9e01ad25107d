#!/usr/bin/env bash
# Second command of the README: run the whole test suite (npm test) on Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node24.sh
txmon_install_deps
npm test
