# syntax=docker/dockerfile:1
#
# The image of the operator program `cdk8s-agents-operator`
# (lib/operator/main.js, the package's `bin`), to pass as
# `new AgentOperator(chart, 'Operator', { image })`:
#
#   docker build -t <registry>/agent-operator:<tag> .
#
# What runs is what users install from npm: the `build` stage compiles and
# packs the package as `npm publish` would, the `install` stage installs that
# tarball with production dependencies only, and the final stage copies the
# result onto distroless Node.js (no shell, no package manager) as the
# `nonroot` user, UID/GID 65532, the user AgentOperator's securityContext runs
# it as. The program writes no file, so it runs with a read-only root
# filesystem. Node.js is major 20 in every stage, as package.json `engines`
# says. test/operator/dockerfile.test.ts checks all of this without a Docker
# engine.
#
# The builder image is pinned by digest as well as tag (a moving tag cannot
# change the build under you); refresh both together with
# `docker buildx imagetools inspect node:20-bookworm-slim`.

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS build
WORKDIR /src
# Dependencies first: this layer is reused while the lock file is unchanged.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# The jsii compile into lib/, then the package tarball (bundled dependencies
# inside, as published) and the exact peer dependency versions this
# repository tests with (its devDependencies), for the install stage.
RUN npx projen compile \
 && mkdir /pkg \
 && npm pack --pack-destination /pkg \
 && mv /pkg/cdk8s-agents-*.tgz /pkg/cdk8s-agents.tgz \
 && node -e "const p = require('./package.json'); console.log(Object.keys(p.peerDependencies).map(n => n + '@' + p.devDependencies[n]).join(' '))" > /pkg/peers.txt

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS install
WORKDIR /app
COPY --from=build /pkg/ /pkg/
# No devDependencies, no install scripts: node_modules/cdk8s-agents is the
# published package, beside cdk8s, cdk8s-plus-28 and constructs.
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-package-lock \
    /pkg/cdk8s-agents.tgz $(cat /pkg/peers.txt)

FROM gcr.io/distroless/nodejs20-debian12:nonroot
# Owned by root and not writable by the program.
COPY --from=install /app/node_modules /app/node_modules
ENV NODE_ENV=production
WORKDIR /app
# Numeric, so the kubelet can check runAsNonRoot against the image alone.
USER 65532:65532
# The metrics and health ports AgentOperator renders by default
# (--metrics-bind-address=:8080, --health-probe-bind-address=:8081).
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "/app/node_modules/cdk8s-agents/lib/operator/main.js"]
