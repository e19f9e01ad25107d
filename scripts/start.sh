#!/usr/bin/env bash
# First command of the README: install and start txmon with the embedded store and live demo
# traffic; dashboard and API at http://localhost:8080. Extra arguments go to `txmon serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node24.sh
txmon_install_deps
exec node bin/txmon.js serve --demo "$@"
