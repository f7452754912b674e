# syntax=docker/dockerfile:1
# Sightline's container image: the one-file bundle (scripts/build.mjs, as `npm run build`) on distroless
# Node 24, running as a non-root user; it writes nothing to disk, so it runs on a read-only root filesystem.
#   docker build -t ghcr.io/sightline/sightline:0.1.0 .
# test/image/container-image.test.ts checks this file's structure and runs the same bundle the way the
# image does (uid 65532, read-only root filesystem, nothing beside it).

# Keep in step with the `node` devDependency in package.json (a test checks).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` devDependency would download a second Node 24; this stage has one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN node scripts/build.mjs

# Node 24 and glibc, no shell, no package manager. :nonroot runs as uid/gid 65532.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=build /src/dist/sightline.mjs /src/dist/sightline.mjs.LEGAL.txt /app/
USER 65532:65532
# 15001: the proxy (point the Service here). 15000: admin (/healthz, /readyz, /metrics).
EXPOSE 15001 15000
ENTRYPOINT ["/nodejs/bin/node", "/app/sightline.mjs"]
CMD ["run"]
