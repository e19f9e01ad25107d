# syntax=docker/dockerfile:1
# txmon container image: `docker build -t txmon .` then
#   docker run -p 8080:8080 -v txmon-data:/data -e TXMON_API_TOKENS=<long-random-token>:admin txmon
# Two stages: `deps` installs the production dependencies from the lockfile (npm ci needs npm and
# the network; nothing of it reaches the runtime image), `runtime` holds Node 24, the sources
# (Node 24 runs the TypeScript directly: no build step) and node_modules, and runs as a non-root
# user with the data in a volume. Configuration comes from the environment (TXMON_* variables,
# see README "Configuration") or a YAML file mounted at /etc/txmon/txmon.yaml (TXMON_CONFIG).
#
# NODE_IMAGE is the official Node.js 24 slim image for users; builds without a registry pass a
# local base with the same layout (Debian bookworm + node and npm on PATH), see
# packaging/local-base/ and README "Container and service".
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    TXMON_PORT=8080 \
    TXMON_DATABASE_URL=/data/txmon.db \
    TXMON_LOG_FORMAT=json
WORKDIR /app
# A fixed uid/gid so a host directory mounted at /data can be chowned to match (10001:10001).
RUN groupadd --system --gid 10001 txmon \
 && useradd --system --uid 10001 --gid txmon --home-dir /app --no-create-home --shell /usr/sbin/nologin txmon \
 && mkdir -p /data /etc/txmon \
 && chown txmon:txmon /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY examples/txmon.yaml /etc/txmon/txmon.example.yaml
USER txmon:txmon
VOLUME ["/data"]
EXPOSE 8080
# /health answers 200 while the store is reachable, 503 otherwise (fetch is built into Node 24).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TXMON_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/txmon.js"]
# Inside a container the service must listen on every interface to be reachable through the
# published port; set TXMON_API_TOKENS (an open API refuses to listen beyond loopback).
CMD ["serve", "--host", "0.0.0.0"]
