#!/bin/sh
# Nexus installer: `curl -fsSL URL/install.sh | sh -s -- --url URL/nexus`, or air-gapped next to
# the binary: `sudo ./install.sh --binary ./nexus`. Re-running upgrades the binary and keeps config,
# keys and data. `./install.sh --help` lists the options.
set -eu

usage() {
  cat <<'EOF'
Usage: install.sh [--binary PATH | --url URL] [options]

Source of the executable (one of):
  --binary PATH    a local nexus binary (env NEXUS_BINARY); a PATH.sha256 file beside it is checked
  --url URL        download it with curl or wget (env NEXUS_URL); URL.sha256 is checked when present
  (neither)        use ./nexus or the nexus beside this script, when there is one

Options:
  --sha256 HEX     expected SHA-256 of the binary (env NEXUS_SHA256); a mismatch aborts
  --prefix DIR     install under DIR instead of / (env NEXUS_PREFIX); no user is created when not root
  --port N         port written to a new nexus.env (default 8080; below 1024 grants CAP_NET_BIND_SERVICE)
  --no-systemd     write the unit file but do not reload, enable or start it
  --uninstall      stop and remove the service and binary; keep config, keys and data
  --purge          with --uninstall: also delete config, master key, data and the nexus user
  --print-unit     print the systemd unit for these options and exit
  --print-env      print the default nexus.env and exit
  -h, --help       this text

Layout: /usr/local/bin/nexus, /etc/nexus/{nexus.env,master.key,tools/,schema/}, /var/lib/nexus/,
/etc/systemd/system/nexus.service (all under --prefix when given).
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

BINARY=${NEXUS_BINARY:-}
URL=${NEXUS_URL:-}
SHA256=${NEXUS_SHA256:-}
PREFIX=${NEXUS_PREFIX:-}
PORT=${NEXUS_PORT:-}
SYSTEMD=1
ACTION=install
PURGE=0

need_arg() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --binary) need_arg "$@"; BINARY=$2; shift 2 ;;
    --url) need_arg "$@"; URL=$2; shift 2 ;;
    --sha256) need_arg "$@"; SHA256=$2; shift 2 ;;
    --prefix) need_arg "$@"; PREFIX=$2; shift 2 ;;
    --port) need_arg "$@"; PORT=$2; shift 2 ;;
    --no-systemd) SYSTEMD=0; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    --purge) PURGE=1; shift ;;
    --print-unit) ACTION=print-unit; shift ;;
    --print-env) ACTION=print-env; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

case "$PREFIX" in '' | /*) ;; *) PREFIX=$(cd "$PREFIX" 2>/dev/null && pwd) || die "--prefix $PREFIX: no such directory" ;; esac
PREFIX=${PREFIX%/}
BIN_DIR=$PREFIX/usr/local/bin
ETC_DIR=$PREFIX/etc/nexus
DATA_DIR=$PREFIX/var/lib/nexus
UNIT_DIR=$PREFIX/etc/systemd/system
ENV_FILE=$ETC_DIR/nexus.env
KEY_FILE=$ETC_DIR/master.key
UNIT_FILE=$UNIT_DIR/nexus.service
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
# The service user exists only in a real system install; a --prefix install belongs to its owner.
MANAGE_USER=0
[ "$IS_ROOT" = 1 ] && [ -z "$PREFIX" ] && MANAGE_USER=1
SYSTEMD_RUNNING=0
[ "$SYSTEMD" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && SYSTEMD_RUNNING=1

# The port of an existing install wins, so an upgrade keeps its capabilities.
if [ -z "$PORT" ] && [ -f "$ENV_FILE" ]; then
  PORT=$(sed -n 's/^NEXUS_PORT=\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$ENV_FILE" | tail -n 1)
fi
PORT=${PORT:-8080}
case "$PORT" in *[!0-9]* | '') die "--port must be a number, got $PORT" ;; esac

print_env() {
  cat <<EOF
# Nexus settings, read by nexus.service (EnvironmentFile=). Restart after a change:
#   systemctl restart nexus        (tool files under NEXUS_TOOLS_DIR reload by themselves)
# Flags override these; see \`nexus serve --help\` for every setting.

NEXUS_HOST=127.0.0.1
NEXUS_PORT=$PORT
NEXUS_TOOLS_DIR=$ETC_DIR/tools
NEXUS_DATA_DIR=$DATA_DIR
NEXUS_MASTER_KEY_FILE=$KEY_FILE
LOG_LEVEL=info

# Listen on every interface (a non-loopback bind requires client authentication):
# NEXUS_HOST=0.0.0.0
# Shared state for several instances behind a load balancer (every instance needs the same master key):
# DATABASE_URL=postgres://nexus:PASSWORD@db.internal:5432/nexus
# REDIS_URL=redis://redis.internal:6379
# Admin API bearer token (unset: the admin API is off):
# NEXUS_ADMIN_TOKEN=
# Your organisation's CA bundle for backends with internal certificates:
# NEXUS_CA_FILE=/etc/nexus/ca.pem
# Outbound proxy for backend calls:
# HTTPS_PROXY=http://proxy.internal:3128
# NO_PROXY=localhost,127.0.0.1,.internal
# On SIGTERM, how long /readyz answers 503 (still serving) before the drain, then how long
# in-flight calls may finish (keep the sum below TimeoutStopSec):
# NEXUS_SHUTDOWN_DELAY=5s
# NEXUS_DRAIN_TIMEOUT=30s
# Time allowed to receive a request body (408 beyond), and a bearer token for /metrics:
# NEXUS_BODY_TIMEOUT=15s
# NEXUS_METRICS_TOKEN=
EOF
}

print_unit() {
  caps='CapabilityBoundingSet='
  [ "$PORT" -lt 1024 ] && caps='CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE'
  cat <<EOF
# Generated by install.sh; re-running it rewrites this file. Customise with \`systemctl edit nexus\`.
[Unit]
Description=Nexus MCP gateway
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=nexus
Group=nexus
EnvironmentFile=$ENV_FILE
# The allocator keeps freed pages instead of handing them back (a few MB of RSS): about a third less CPU per call
Environment=MIMALLOC_PURGE_DELAY=-1
WorkingDirectory=$DATA_DIR
ExecStart=$BIN_DIR/nexus serve
# SIGHUP reloads the tool files
ExecReload=/bin/kill -HUP \$MAINPID
Restart=on-failure
RestartSec=2s
# SIGTERM: /readyz 503 for NEXUS_SHUTDOWN_DELAY (5s), then in-flight calls drain (NEXUS_DRAIN_TIMEOUT, 30s) before exit 0
TimeoutStopSec=45s
UMask=0077
LimitNOFILE=65536
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ReadWritePaths=$DATA_DIR
$caps
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
# No MemoryDenyWriteExecute: the JavaScript JIT needs writable+executable memory.

[Install]
WantedBy=multi-user.target
EOF
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 "$1" | sed 's/.*= *//'
  else die "no sha256sum, shasum or openssl to verify the checksum"
  fi
}

fetch() { # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else die "neither curl nor wget is installed; download the binary and use --binary"
  fi
}

WORK=
cleanup() { [ -n "$WORK" ] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sets BINARY to a verified local file.
obtain_binary() {
  WORK=$(mktemp -d)
  if [ -n "$URL" ]; then
    say "downloading $URL"
    fetch "$URL" "$WORK/nexus" || die "download failed: $URL"
    if [ -z "$SHA256" ] && fetch "$URL.sha256" "$WORK/nexus.sha256" 2>/dev/null; then
      SHA256=$(cut -d ' ' -f 1 "$WORK/nexus.sha256")
    fi
    BINARY=$WORK/nexus
  else
    if [ -z "$BINARY" ]; then
      for c in ./nexus "$(dirname "$0")/nexus"; do [ -f "$c" ] && BINARY=$c && break; done
    fi
    [ -n "$BINARY" ] || die "no binary: pass --binary PATH or --url URL"
    [ -f "$BINARY" ] || die "--binary $BINARY: no such file"
    [ -z "$SHA256" ] && [ -f "$BINARY.sha256" ] && SHA256=$(cut -d ' ' -f 1 "$BINARY.sha256")
  fi
  if [ -n "$SHA256" ]; then
    actual=$(sha256_of "$BINARY")
    expected=$(printf '%s' "$SHA256" | tr 'A-F' 'a-f')
    [ "$actual" = "$expected" ] || die "checksum mismatch for $BINARY: expected $expected, got $actual"
    say "verified sha256 $actual"
  else
    say "warning: no checksum given (--sha256 or $BINARY.sha256); not verified"
  fi
  cp "$BINARY" "$WORK/nexus.new"
  chmod 0755 "$WORK/nexus.new"
  "$WORK/nexus.new" version >/dev/null 2>&1 || "$WORK/nexus.new" --help >/dev/null 2>&1 ||
    die "$BINARY does not run on this machine (wrong architecture?)"
}

ensure_user() {
  [ "$MANAGE_USER" = 1 ] || return 0
  id nexus >/dev/null 2>&1 && return 0
  nologin=/usr/sbin/nologin
  [ -x "$nologin" ] || nologin=/sbin/nologin
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell "$nologin" nexus
  elif command -v adduser >/dev/null 2>&1; then
    addgroup -S nexus && adduser -S -D -H -h "$DATA_DIR" -s "$nologin" -G nexus nexus
  else
    die "cannot create the nexus user: no useradd or adduser"
  fi
  say "created system user nexus"
}

owned_by_nexus() { # owned_by_nexus MODE PATH...
  mode=$1; shift
  chmod "$mode" "$@"
  [ "$MANAGE_USER" = 1 ] && chown nexus:nexus "$@"
  return 0
}

install_config() {
  mkdir -p "$BIN_DIR" "$ETC_DIR" "$DATA_DIR" "$UNIT_DIR"
  owned_by_nexus 0750 "$DATA_DIR"
  if [ -f "$ENV_FILE" ]; then
    say "kept $ENV_FILE"
  else
    (umask 077 && print_env >"$ENV_FILE")
    chmod 0640 "$ENV_FILE"
    [ "$MANAGE_USER" = 1 ] && chgrp nexus "$ENV_FILE"
    say "wrote $ENV_FILE"
  fi
  if [ -s "$KEY_FILE" ]; then
    say "kept $KEY_FILE (never overwritten)"
  else
    # 32 random bytes, base64: the vault's master key. Written to a temp file, then moved, so a
    # half-written key never exists; `mv` without -f onto a missing file.
    (umask 077 && dd if=/dev/urandom bs=32 count=1 2>/dev/null | base64 >"$KEY_FILE.tmp")
    [ "$(wc -c <"$KEY_FILE.tmp")" -ge 44 ] || { rm -f "$KEY_FILE.tmp"; die "could not generate the master key"; }
    mv "$KEY_FILE.tmp" "$KEY_FILE"
    owned_by_nexus 0600 "$KEY_FILE"
    say "generated $KEY_FILE (0600): back it up; without it the vault cannot be opened"
  fi
  src_dir=$(dirname "$BINARY")
  if [ -d "$ETC_DIR/tools" ]; then
    say "kept $ETC_DIR/tools"
  elif [ -d "$src_dir/tools" ]; then
    cp -R "$src_dir/tools" "$ETC_DIR/tools"
    say "installed example tools in $ETC_DIR/tools"
  elif "$WORK/nexus.new" tools examples --out "$ETC_DIR/tools" >/dev/null 2>&1; then
    say "installed example tools in $ETC_DIR/tools"
  else
    mkdir -p "$ETC_DIR/tools"
    say "created empty $ETC_DIR/tools"
  fi
  if [ -f "$src_dir/schema/tools.schema.json" ]; then
    mkdir -p "$ETC_DIR/schema"
    cp "$src_dir/schema/tools.schema.json" "$ETC_DIR/schema/tools.schema.json"
  fi
}

install_binary() {
  existed=0
  [ -f "$BIN_DIR/nexus" ] && existed=1
  # Same-directory temp file + rename: a running service never sees a half-written binary.
  cp "$WORK/nexus.new" "$BIN_DIR/.nexus.new.$$"
  chmod 0755 "$BIN_DIR/.nexus.new.$$"
  mv -f "$BIN_DIR/.nexus.new.$$" "$BIN_DIR/nexus"
  version=$("$BIN_DIR/nexus" version 2>/dev/null || true)
  if [ "$existed" = 1 ]; then say "upgraded $BIN_DIR/nexus ${version:+($version)}"
  else say "installed $BIN_DIR/nexus ${version:+($version)}"
  fi
}

install_unit() {
  print_unit >"$UNIT_FILE.tmp"
  chmod 0644 "$UNIT_FILE.tmp"
  mv -f "$UNIT_FILE.tmp" "$UNIT_FILE"
  say "wrote $UNIT_FILE"
  if [ "$SYSTEMD_RUNNING" = 1 ] && [ -z "$PREFIX" ]; then
    systemctl daemon-reload
    systemctl enable nexus.service >/dev/null 2>&1
    if systemctl is-active --quiet nexus.service; then
      systemctl restart nexus.service && say "restarted nexus.service"
    else
      systemctl start nexus.service && say "enabled and started nexus.service"
    fi
  else
    say "systemd not used: not enabling the service"
  fi
}

do_install() {
  [ "$IS_ROOT" = 1 ] || [ -n "$PREFIX" ] || die "run as root (sudo), or use --prefix DIR for an unprivileged install"
  obtain_binary
  ensure_user
  install_config
  install_binary
  install_unit
  say ""
  say "Next step:"
  say "  add or edit tool files in $ETC_DIR/tools (they reload by themselves), settings in $ENV_FILE;"
  if [ "$SYSTEMD_RUNNING" = 1 ] && [ -z "$PREFIX" ]; then
    say "  check it:  systemctl status nexus; curl http://127.0.0.1:$PORT/healthz"
  else
    say "  run it:    set -a; . $ENV_FILE; set +a; $BIN_DIR/nexus serve"
  fi
}

do_uninstall() {
  [ "$IS_ROOT" = 1 ] || [ -n "$PREFIX" ] || die "run as root (sudo), or use --prefix DIR"
  if [ "$SYSTEMD_RUNNING" = 1 ] && [ -z "$PREFIX" ] && [ -f "$UNIT_FILE" ]; then
    systemctl disable --now nexus.service >/dev/null 2>&1 || true
    say "stopped and disabled nexus.service"
  fi
  rm -f "$UNIT_FILE" "$BIN_DIR/nexus"
  [ "$SYSTEMD_RUNNING" = 1 ] && [ -z "$PREFIX" ] && systemctl daemon-reload
  say "removed $BIN_DIR/nexus and $UNIT_FILE"
  if [ "$PURGE" = 1 ]; then
    rm -rf "$ETC_DIR" "$DATA_DIR"
    say "purged $ETC_DIR (config, master key, tools) and $DATA_DIR (data)"
    if [ "$MANAGE_USER" = 1 ] && id nexus >/dev/null 2>&1; then
      if command -v userdel >/dev/null 2>&1; then userdel nexus; else deluser nexus; fi
      say "removed user nexus"
    fi
  else
    say "kept $ETC_DIR (config, master key, tools) and $DATA_DIR (data); --uninstall --purge deletes them"
  fi
}

case "$ACTION" in
  print-unit) print_unit ;;
  print-env) print_env ;;
  uninstall) do_uninstall ;;
  install) do_install ;;
esac
