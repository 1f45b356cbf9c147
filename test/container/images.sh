#!/usr/bin/env bash
# Makes, from Debian packages alone (debootstrap + apt, no container registry), the base images the
# container test builds and runs with. Sourced by run.sh; every image is tagged with a hash of its inputs,
# so a second run reuses it. The debootstrap tarball is cached in $NEXUS_CI_CACHE.
#   nexus-ci/debian   debootstrap minbase of $SUITE (+ ca-certificates)
#   nexus-ci/bun      debian + the pinned bun from node_modules       -> --build-arg BUN_IMAGE
#   nexus-ci/cc       glibc, libgcc, libstdc++, CA bundle, user nonroot (65532): distroless/cc's contents
#                     -> --build-arg RUNTIME_IMAGE
#   nexus-ci/postgres, nexus-ci/redis, nexus-ci/nginx   stand-ins for the compose file's images
IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/images"
SUITE=${NEXUS_CI_SUITE:-bookworm}
MIRROR=${NEXUS_CI_MIRROR:-http://deb.debian.org/debian}
NEXUS_CI_CACHE=${NEXUS_CI_CACHE:-/var/cache/nexus-ci}

key_of() { sha256sum | cut -c1-12; }
# drop_stale REPO KEEP: older tags of a cache image whose inputs changed
drop_stale() {
  local t
  for t in $(podman images --format '{{.Repository}}:{{.Tag}}' "$1" 2>/dev/null); do
    [[ $t == "$2" ]] || podman rmi "$t" >/dev/null 2>&1 || true
  done
}

debian_image() {
  local key tar rootfs
  key=$(printf '%s\n' "$SUITE" "$MIRROR" minbase ca-certificates v1 | key_of)
  DEBIAN_IMAGE="localhost/nexus-ci/debian:$SUITE-$key"
  podman image exists "$DEBIAN_IMAGE" && return 0
  mkdir -p "$NEXUS_CI_CACHE"
  tar="$NEXUS_CI_CACHE/debian-$SUITE-$key.tar"
  if [[ ! -s $tar ]]; then
    rootfs=$(mktemp -d)
    log "debootstrap $SUITE from $MIRROR (cached afterwards in $tar)"
    timeout 900 debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
      || { tail -20 "$rootfs.log" >&2; rm -rf "$rootfs"; return 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$rootfs" "$rootfs.log"
  fi
  podman import --quiet "$tar" "$DEBIAN_IMAGE" >/dev/null
  drop_stale localhost/nexus-ci/debian "$DEBIAN_IMAGE"
}

# The Bun build stage: the exact bun npm installed for this checkout.
bun_image() {
  local bin ver ctx
  bin=$(readlink -f node_modules/bun/bin/bun.exe)
  ver=$("$bin" --version)
  BUN_IMAGE="localhost/nexus-ci/bun:$ver-$( (echo "$DEBIAN_IMAGE"; sha256sum "$bin") | key_of)"
  podman image exists "$BUN_IMAGE" && return 0
  ctx=$(mktemp -d)
  cp "$bin" "$ctx/bun"
  printf 'FROM %s\nCOPY bun /usr/local/bin/bun\nRUN ln -s bun /usr/local/bin/bunx\n' "$DEBIAN_IMAGE" >"$ctx/Containerfile"
  podman build --quiet -t "$BUN_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  drop_stale localhost/nexus-ci/bun "$BUN_IMAGE"
}

# The runtime base: only the files of libc6, libgcc-s1, libstdc++6 and the CA bundle (what distroless cc has).
runtime_image() {
  local ctr mnt out
  RUNTIME_IMAGE="localhost/nexus-ci/cc:$SUITE-$( (echo "$DEBIAN_IMAGE"; cat "${BASH_SOURCE[0]}") | key_of)"
  podman image exists "$RUNTIME_IMAGE" && return 0
  ctr=$(podman create "$DEBIAN_IMAGE" /bin/true)
  mnt=$(podman mount "$ctr")
  out=$(mktemp -d)
  mkdir -p "$out/rootfs"
  (cd "$mnt" && {
    # merged /usr: /lib, /lib64, /bin, /sbin are symlinks into usr/, list the real paths
    chroot . dpkg-query -L libc6 libgcc-s1 libstdc++6 ca-certificates | grep -v '^/usr/share/\(doc\|man\|lintian\|locale\)' \
      | sed -E 's|^/||; s#^(bin|sbin|lib|lib64)(/|$)#usr/\1\2#'
    echo etc/ssl/certs
    find etc/ssl/certs usr/share/ca-certificates -mindepth 1
  } | sort -u | tar --no-recursion -cf - -T - 2>/dev/null) | tar -C "$out/rootfs" -xf -
  for l in bin sbin lib lib64; do [[ -L $mnt/$l ]] && cp -P "$mnt/$l" "$out/rootfs/$l"; done
  podman umount "$ctr" >/dev/null
  podman rm "$ctr" >/dev/null
  mkdir -p "$out/rootfs"/{etc,tmp,home/nonroot,var/lib,root}
  chmod 1777 "$out/rootfs/tmp"
  chmod 0700 "$out/rootfs/root"
  chown 65532:65532 "$out/rootfs/home/nonroot"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$out/rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$out/rootfs/etc/group"
  tar -C "$out/rootfs" -c . | podman import --quiet --change 'USER 65532:65532' --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' - "$RUNTIME_IMAGE" >/dev/null
  rm -rf "$out"
  drop_stale localhost/nexus-ci/cc "$RUNTIME_IMAGE"
}

# PostgreSQL, Redis and nginx from Debian's packages, with entrypoints honouring the same variables as
# the official images (POSTGRES_USER/PASSWORD/DB, redis-server args, nginx templates + local resolvers).
service_image() {
  local name=$1 key
  key=$( (echo "$DEBIAN_IMAGE"; cat "$IMAGES_DIR/$name"/*) | key_of)
  local tag="localhost/nexus-ci/$name:$key"
  if ! podman image exists "$tag"; then
    log "building $tag from Debian packages" >&2
    timeout 600 podman build --quiet --format docker --build-arg "BASE=$DEBIAN_IMAGE" -t "$tag" "$IMAGES_DIR/$name" >/dev/null
    drop_stale "localhost/nexus-ci/$name" "$tag"
  fi
  printf '%s' "$tag"
}
