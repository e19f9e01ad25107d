#!/usr/bin/env bash
# Builds the txmon image WITHOUT a registry (this project's machines have none): a local stand-in
# for node:24-bookworm-slim made from a Debian bookworm root (debootstrap) plus Node.js 24 from the
# npm registry package node@24 (scripts/node24.sh) and the host's npm, then the real Dockerfile
# with buildah (chroot isolation: no OCI runtime needed). Needs root, debootstrap, podman (import) and buildah.
#   bash packaging/local-base/build.sh            → images localhost/txmon-node24-base, localhost/txmon
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=${TXMON_BASE_ROOTFS:-/var/tmp/txmon-bookworm-root}
WORK=$(mktemp -d /var/tmp/txmon-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -d "$ROOT/etc" ] || debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian
. scripts/node24.sh                       # Node 24 on PATH (from node@24 when the system Node is older)
NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
tar -C "$ROOT" -c . | podman import - localhost/txmon-bookworm-root:local >/dev/null
mkdir -p "$WORK/npm"
cp "$NODE_BIN" "$WORK/node"
# This machine reaches the npm registry through an egress proxy with its own CA: the local base
# trusts the host's CA bundle (the official node image needs nothing of the kind).
cp /etc/ssl/certs/ca-certificates.crt "$WORK/ca-certificates.crt"
cp -a "$NPM_DIR/." "$WORK/npm/"
cat > "$WORK/Containerfile" <<'CF'
FROM localhost/txmon-bookworm-root:local
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && node --version && npm --version
CF
buildah bud --isolation chroot -t localhost/txmon-node24-base:local "$WORK"
# --format docker: the OCI format has no HEALTHCHECK (buildah drops it with a warning).
buildah bud --isolation chroot --format docker --build-arg NODE_IMAGE=localhost/txmon-node24-base:local -t localhost/txmon:local .
