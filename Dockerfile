# syntax=docker/dockerfile:1
# Nexus: build the single executable with Bun, then run it alone in a small non-root image.
#   docker build -t nexus --build-arg NEXUS_COMMIT=$(git rev-parse --short HEAD) .
#   docker run -p 8080:8080 -v nexus-data:/var/lib/nexus -v ./tools:/etc/nexus/tools:ro nexus

FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN bun install --frozen-lockfile --production
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
 && cp -R dist/tools /rootfs/etc/nexus/tools \
 && cp -R dist/schema /rootfs/etc/nexus/schema

# glibc + libstdc++, no shell, uid 65532
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/dist/nexus /usr/local/bin/nexus
COPY --from=build --chown=65532:65532 /rootfs/ /
ENV NEXUS_HOST=0.0.0.0 \
    NEXUS_PORT=8080 \
    NEXUS_TOOLS_DIR=/etc/nexus/tools \
    NEXUS_DATA_DIR=/var/lib/nexus \
    LOG_LEVEL=info
USER 65532:65532
WORKDIR /var/lib/nexus
VOLUME ["/etc/nexus", "/var/lib/nexus"]
EXPOSE 8080
# Distroless has no curl: the binary checks itself (GET /healthz, exit 0/1).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/nexus", "healthcheck"]
# SIGTERM: /readyz 503 for NEXUS_SHUTDOWN_DELAY, then in-flight calls drain, then exit 0; give it longer than both (docker stop -t 45).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/nexus"]
CMD ["serve"]
