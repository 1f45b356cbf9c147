# Nexus: build the single executable with Bun, then run it alone in a small non-root image.
#   docker build -t nexus --build-arg NEXUS_COMMIT=$(git rev-parse --short HEAD) .
#   podman build --format docker -t nexus .      # podman drops HEALTHCHECK in its default OCI format
# No `# syntax=` line on purpose: BuildKit then uses its built-in frontend and pulls nothing extra,
# so an air-gapped build only needs the two base images below (see deploy/README.md).

# Build arguments: where the base images and the npm packages come from (a mirror, a local tag).
ARG BUN_IMAGE=oven/bun:1.4.5
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${BUN_IMAGE} AS build
WORKDIR /app
# An npm registry or mirror; internal CA certificates (PEM *.crt/*.pem) go in deploy/certs/.
ARG NPM_REGISTRY=https://registry.npmjs.org/
COPY deploy/certs/ /tmp/certs/
COPY package.json package-lock.json ./
# Production dependencies only: bun itself is a devDependency, so no second Bun is downloaded.
RUN set -e; \
    for f in /tmp/certs/*.crt /tmp/certs/*.pem; do if [ -f "$f" ]; then cat "$f" >> /tmp/extra-ca.pem; fi; done; \
    if [ -f /tmp/extra-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi; \
    BUN_CONFIG_REGISTRY="${NPM_REGISTRY}" bun install --frozen-lockfile --production --ignore-scripts
COPY tsconfig.json bunfig.toml install.sh ./
COPY src ./src
COPY scripts ./scripts
COPY sql ./sql
COPY schema ./schema
COPY tools ./tools
ARG NEXUS_COMMIT=dev
# set by BuildKit from --platform (amd64 or arm64)
ARG TARGETARCH
RUN NEXUS_COMMIT="${NEXUS_COMMIT}" bun scripts/build.ts --target "linux-${TARGETARCH:-amd64}" --outfile dist/nexus \
 && mkdir -p /rootfs/etc/nexus /rootfs/var/lib/nexus \
 && chmod 0700 /rootfs/var/lib/nexus \
 && cp -R dist/tools /rootfs/etc/nexus/tools \
 && cp -R dist/schema /rootfs/etc/nexus/schema \
 && chmod -R u=rwX,go=rX /rootfs/etc/nexus

# glibc + libstdc++, no shell, user nonroot (65532)
FROM ${RUNTIME_IMAGE}
# Everything root-owned and read-only for the runtime user, except its data directory.
COPY --from=build /app/dist/nexus /usr/local/bin/nexus
COPY --from=build /rootfs/etc/nexus/ /etc/nexus/
# copied as an entry of /var/lib/ so it keeps its 0700 mode (an existing /var/lib keeps its owner)
COPY --from=build --chown=65532:65532 /rootfs/var/lib/ /var/lib/
# MIMALLOC_PURGE_DELAY=-1: the allocator keeps freed pages (a few MB of RSS) for about a third less CPU per call
ENV NEXUS_HOST=0.0.0.0 \
    NEXUS_PORT=8080 \
    MIMALLOC_PURGE_DELAY=-1 \
    NEXUS_TOOLS_DIR=/etc/nexus/tools \
    NEXUS_DATA_DIR=/var/lib/nexus \
    LOG_LEVEL=info
USER 65532:65532
WORKDIR /var/lib/nexus
VOLUME ["/var/lib/nexus"]
EXPOSE 8080
# Distroless has no curl: the binary checks itself (GET /healthz, exit 0/1).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/nexus", "healthcheck"]
# SIGTERM: /readyz 503 for NEXUS_SHUTDOWN_DELAY, then in-flight calls drain, then exit 0; give it longer than both (docker stop -t 45).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/nexus"]
CMD ["serve"]
