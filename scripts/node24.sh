# Sourced by the other scripts: puts Node.js >= 24 first on PATH. The project runs its TypeScript
# directly with Node 24's type stripping and uses node:sqlite, so older Node versions cannot run it.
# When the system Node is older, Node 24 comes from the npm registry package `node@24`,
# installed once into a cache directory.
txmon_node_ok() { command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)' 2>/dev/null; }
if ! txmon_node_ok; then
  TXMON_NODE_CACHE="${TXMON_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/txmon/node24}"
  if [ ! -x "$TXMON_NODE_CACHE/node_modules/.bin/node" ]; then
    echo "txmon: system Node is $(node --version 2>/dev/null || echo missing); installing Node 24 from the npm registry into $TXMON_NODE_CACHE" >&2
    mkdir -p "$TXMON_NODE_CACHE"
    npm install --prefix "$TXMON_NODE_CACHE" --no-save --no-audit --no-fund node@24 >&2
  fi
  export PATH="$TXMON_NODE_CACHE/node_modules/.bin:$PATH"
  txmon_node_ok || { echo "txmon: could not get Node >= 24" >&2; exit 1; }
fi
# Install dependencies from the lockfile when they are missing or older than it.
txmon_install_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}
