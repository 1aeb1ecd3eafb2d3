#!/usr/bin/env bash
# Install or upgrade examroom as a systemd service.
#
#   sudo systemd/install.sh [--prefix /opt/examroom] [--no-start]
#
# Idempotent: re-run it from a newer checkout to upgrade. It never overwrites
# an existing /etc/examroom/config.yaml and never touches the data folder's
# contents (only creates missing folders and fixes their owner/mode, refusing
# any that is a symbolic link).
set -Eeuo pipefail

readonly SERVICE=examroom
readonly SVC_USER=examroom
readonly SVC_GROUP=examroom
readonly DEFAULT_PREFIX=/opt/examroom
readonly DATA_DIR=/var/lib/examroom
readonly KEYS_DIR=/var/lib/examroom-keys
readonly CONF_DIR=/etc/examroom
readonly CONF_FILE=$CONF_DIR/config.yaml
readonly UNIT_DEST=/etc/systemd/system/$SERVICE.service

readonly SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# The folders the service writes, made and given to the service account under ROOT ('' on a real
# install; a scratch folder in tests/security/installer.test.ts). The service account owns them, so it
# can replace any sub-folder with a symbolic link between two upgrades: `install -d -o examroom` would
# follow it and hand the target (/etc …) to that account. service-folder.mjs opens each folder with
# O_NOFOLLOW and changes it through the descriptor, and refuses a link, naming it.
# Only the default paths.data and paths.keys; a config pointing elsewhere needs those folders made
# the same way and ReadWritePaths adjusted in a drop-in.
prepare_service_folders() {
  local root=$1 uid=$2 gid=$3
  node "$SCRIPT_DIR/service-folder.mjs" "$uid" "$gid" 0750 \
    "$root$DATA_DIR" "$root$DATA_DIR/db" "$root$DATA_DIR/media" "$root$DATA_DIR/captures" "$root$DATA_DIR/archives"
  # The keys folder (site CA, signing keys, audit key): the service's alone, 0700, apart from the data
  # folder so a copy of the data never carries the keys.
  node "$SCRIPT_DIR/service-folder.mjs" "$uid" "$gid" 0700 "$root$KEYS_DIR"
}

# Sourced (by the tests): the definitions above only. `return` succeeds only in a sourced file.
if (return 0 2>/dev/null); then return 0; fi

PREFIX=$DEFAULT_PREFIX
START=1
ORIG_ARGS=("$@")

usage() {
  cat <<EOF
Usage: sudo $0 [--prefix DIR] [--no-start]

Installs (or upgrades) examroom from this checkout as a systemd service.

  --prefix DIR   where to install the code (default: $DEFAULT_PREFIX)
  --no-start     install and enable the service but do not (re)start it
  -h, --help     show this help
EOF
}

log()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix)   [ $# -ge 2 ] || { usage >&2; exit 2; }; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --no-start) START=0; shift ;;
    -h|--help)  usage; exit 0 ;;
    *)          printf 'unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  die "this installer must run as root (it creates a system user, writes to /etc, $DATA_DIR and the prefix). Try: sudo $0 ${ORIG_ARGS[*]}"
fi

# The prefix ends up in the unit file and in a sed expression: keep it simple.
PREFIX=${PREFIX%/}
case $PREFIX in
  /*) ;;
  *)  die "--prefix must be an absolute path (got '$PREFIX')" ;;
esac
[[ $PREFIX =~ ^/[A-Za-z0-9._/-]+$ ]] \
  || die "--prefix may only contain letters, digits, '.', '_', '-' and '/' (got '$PREFIX')"
case $PREFIX in
  /|/bin|/boot|/dev|/etc|/home|/lib|/lib64|/opt|/proc|/root|/run|/sbin|/srv|/sys|/tmp|/usr|/usr/local|/var|/var/lib)
    die "refusing to install into '$PREFIX'; use a dedicated folder such as $DEFAULT_PREFIX" ;;
esac

# The checkout: the folder containing this script's folder.
SRC=$(cd "$SCRIPT_DIR/.." && pwd -P)
[ -f "$SRC/server/cli.ts" ]        || die "$SRC does not look like an examroom checkout (server/cli.ts missing)"
[ -f "$SRC/server/setup.mjs" ]     || die "$SRC/server/setup.mjs missing"
[ -f "$SRC/config/default.yaml" ]  || die "$SRC/config/default.yaml missing"
[ -f "$SRC/systemd/examroom.service" ] || die "$SRC/systemd/examroom.service missing"

command -v node >/dev/null 2>&1 || die "node (>= 20) is not installed or not on PATH"
NODE=$(command -v node)
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "node >= 20 is required, found $(node --version) at $NODE"
# The unit starts "/usr/bin/env node" with systemd's default PATH, and
# ProtectHome=yes hides /root and /home (e.g. an nvm install).
case $(dirname "$NODE") in
  /usr/local/sbin|/usr/local/bin|/usr/sbin|/usr/bin|/sbin|/bin) ;;
  *) warn "node is at $NODE, which the service will not find (it looks in /usr/local/bin and /usr/bin and cannot see /root or /home). Install node system-wide or symlink it to /usr/local/bin/node." ;;
esac

HAVE_SYSTEMCTL=0
SYSTEMD_RUNNING=0
if command -v systemctl >/dev/null 2>&1; then
  HAVE_SYSTEMCTL=1
  # The canonical "was this system booted with systemd" test (sd_booted).
  [ -d /run/systemd/system ] && SYSTEMD_RUNNING=1
fi

STOPPED_FOR_UPGRADE=0
on_error() {
  local rc=$?
  printf '\nerror: installation failed (exit %s, line %s).\n' "$rc" "${BASH_LINENO[0]}" >&2
  if [ "$STOPPED_FOR_UPGRADE" -eq 1 ]; then
    printf 'The %s service was stopped for the upgrade and is still stopped.\n' "$SERVICE" >&2
    printf 'Fix the problem and re-run this script, or start the old version: systemctl start %s\n' "$SERVICE" >&2
  fi
  exit "$rc"
}
trap on_error ERR

umask 022

# --- 1. system user and group ------------------------------------------------
if ! getent group "$SVC_GROUP" >/dev/null; then
  log "creating system group $SVC_GROUP"
  groupadd --system "$SVC_GROUP"
fi
if ! getent passwd "$SVC_USER" >/dev/null; then
  log "creating system user $SVC_USER"
  useradd --system --gid "$SVC_GROUP" --home-dir "$DATA_DIR" --no-create-home \
    --shell /usr/sbin/nologin --comment "examroom proctoring server" "$SVC_USER"
fi
# The service opens no device (cameras are reached over the network, the ID-card reader by the kiosk
# PC; the unit sets PrivateDevices=yes): an account added to group "video" by an older installer leaves it.
if getent group video >/dev/null && id -nG "$SVC_USER" | tr ' ' '\n' | grep -qx video; then
  log "removing $SVC_USER from group video (the service opens no camera device)"
  gpasswd -d "$SVC_USER" video >/dev/null
fi

# --- 2. stop a running instance before replacing its code --------------------
if [ "$SYSTEMD_RUNNING" -eq 1 ] && systemctl is-active --quiet "$SERVICE"; then
  log "stopping the running $SERVICE service for the upgrade"
  systemctl stop "$SERVICE"
  STOPPED_FOR_UPGRADE=1
fi

# --- 3. copy the checkout to the prefix ----------------------------------------
if [ "$SRC" = "$PREFIX" ] || { [ -d "$PREFIX" ] && [ "$SRC" = "$(cd "$PREFIX" && pwd -P)" ]; }; then
  log "checkout is already at $PREFIX, not copying"
else
  case $PREFIX/ in "$SRC"/*) die "--prefix $PREFIX is inside the checkout $SRC" ;; esac
  case $SRC/ in "$PREFIX"/*) die "the checkout $SRC is inside --prefix $PREFIX" ;; esac
  # rsync --delete removes stale files from older versions, so make sure the
  # target is empty or a previous examroom install, never someone else's folder.
  if [ -d "$PREFIX" ] && [ -n "$(ls -A "$PREFIX")" ] \
     && ! grep -qs '"name": *"examroom"' "$PREFIX/package.json"; then
    die "$PREFIX exists, is not empty and is not an examroom install; refusing to overwrite it"
  fi
  mkdir -p "$PREFIX"
  if command -v rsync >/dev/null 2>&1; then
    log "copying $SRC to $PREFIX (rsync)"
    # Excluded paths are also protected from --delete, so the installed
    # node_modules survives upgrades. -rlptD: no owner/group from the checkout.
    rsync -rlptD --delete \
      --exclude=.git --exclude=node_modules --exclude=/var/ --exclude=/tests/artifacts/ \
      "$SRC"/ "$PREFIX"/
  else
    log "copying $SRC to $PREFIX (cp -a; rsync not installed, stale files from older versions are kept)"
    shopt -s dotglob nullglob
    for entry in "$SRC"/*; do
      case ${entry##*/} in
        .git|node_modules|var) ;;
        tests)
          mkdir -p "$PREFIX/tests"
          for t in "$entry"/*; do
            [ "${t##*/}" = artifacts ] || cp -a "$t" "$PREFIX/tests/"
          done ;;
        *) cp -a "$entry" "$PREFIX/" ;;
      esac
    done
    shopt -u dotglob nullglob
  fi
  # Code belongs to root and is read-only for the service account.
  chown -R root:root "$PREFIX"
  chmod -R u+rwX,go+rX,go-w "$PREFIX"
fi

# --- 4. dependencies (npm packages, ffmpeg, chromium, fonts) -------------------
log "running server/setup.mjs in $PREFIX (npm dependencies, Debian packages)"
(cd "$PREFIX" && node server/setup.mjs)
log "building the web apps and the server (dist/server: the service runs JavaScript, not the TypeScript sources)"
(cd "$PREFIX" && npm run build)
EXAMROOM_BIN=$PREFIX/server/bin/examroom.mjs
# The service cannot write the code folder (ProtectSystem=strict): were the build stale at its start,
# it would fall back to the slow tsx path, so check here that the command finds the build current.
(cd "$PREFIX" && node -e "import('./server/build-server.mjs').then((b) => { const s = b.serverBuildState(); if (!s.fresh) { console.error(s.reason); process.exit(1); } })") \
  || die "the server build in $PREFIX/dist/server is not current after npm run build"
# V8's code caches of a server start and of --help, made here as root and sealed beside the build: the
# service cannot write there, so the code it runs at a start is root's (a start without them is only slower).
log "making the code caches (a server start on a scratch site on loopback)"
(cd "$PREFIX" && node server/build-server.mjs --warm-caches) || log "code caches not made: the service starts cold (slower, not broken)"
TSX=$PREFIX/node_modules/tsx/dist/cli.mjs
[ -f "$TSX" ] || die "$TSX missing after setup; did npm install fail? (the service falls back to it if the build ever goes stale)"

# --- 5. data and keys folders --------------------------------------------------------
log "preparing $DATA_DIR and $KEYS_DIR"
prepare_service_folders "" "$(id -u "$SVC_USER")" "$(getent group "$SVC_GROUP" | cut -d: -f3)"

# --- 6. configuration --------------------------------------------------------------
install -d -o root -g "$SVC_GROUP" -m 0750 "$CONF_DIR"
NEW_CONFIG=0
if [ -e "$CONF_FILE" ]; then
  log "keeping existing $CONF_FILE"
else
  log "installing default configuration to $CONF_FILE"
  install -o root -g "$SVC_GROUP" -m 0640 "$SRC/config/default.yaml" "$CONF_FILE"
  NEW_CONFIG=1
fi

# --- 7. database migrations (as the service user, so files stay owned by it) ------
log "running database migrations"
(cd "$DATA_DIR" && runuser -u "$SVC_USER" -- \
  node "$EXAMROOM_BIN" migrate --config "$CONF_FILE")

# --- 8. systemd --------------------------------------------------------------------
if [ "$HAVE_SYSTEMCTL" -eq 0 ]; then
  warn "systemctl not found (container?): skipping the systemd unit; start the server by hand with:"
  printf '  runuser -u %s -- node %s serve --config %s\n' \
    "$SVC_USER" "$EXAMROOM_BIN" "$CONF_FILE" >&2
else
  log "installing $UNIT_DEST"
  tmp_unit=$(mktemp)
  if [ "$PREFIX" = "$DEFAULT_PREFIX" ]; then
    cat "$SRC/systemd/examroom.service" >"$tmp_unit"
  else
    # PREFIX was validated above to contain no sed metacharacters besides '.'.
    sed "s|$DEFAULT_PREFIX|$PREFIX|g" "$SRC/systemd/examroom.service" >"$tmp_unit"
  fi
  install -o root -g root -m 0644 "$tmp_unit" "$UNIT_DEST"
  rm -f "$tmp_unit"
  if [ "$SYSTEMD_RUNNING" -eq 1 ]; then
    systemctl daemon-reload
    systemctl enable "$SERVICE"
    if [ "$START" -eq 1 ]; then
      log "(re)starting $SERVICE"
      systemctl restart "$SERVICE"
      STOPPED_FOR_UPGRADE=0
    elif [ "$STOPPED_FOR_UPGRADE" -eq 1 ]; then
      warn "--no-start: $SERVICE was stopped for the upgrade and stays stopped; start it with: systemctl start $SERVICE"
    fi
  else
    # systemctl exists but systemd is not PID 1 (container/chroot): enabling
    # works offline, reloading and starting does not.
    warn "systemd is not running (container?): skipping daemon-reload and start"
    systemctl enable "$SERVICE" || warn "systemctl enable $SERVICE failed; enable it once systemd runs"
  fi
fi

# --- 9. next steps ------------------------------------------------------------------
CLI="runuser -u $SVC_USER -- node $EXAMROOM_BIN"
echo
log "examroom installed in $PREFIX (data: $DATA_DIR, keys: $KEYS_DIR, config: $CONF_FILE)"
if [ "$NEW_CONFIG" -eq 1 ]; then
  echo
  echo "  A default configuration was installed. Edit it for this exam room:"
  echo "    sudoedit $CONF_FILE"
  echo "  then restart the service: systemctl restart $SERVICE"
fi
cat <<EOF

  Status:  systemctl status $SERVICE
  Logs:    journalctl -u $SERVICE -f

  Create the first admin account (run as $SVC_USER so the database stays owned by it):
    sudo $CLI user add NAME --role admin --config $CONF_FILE

  HTTPS: the server makes its site CA on first start. Each PC trusts it once:
  open http://THIS-SERVER:8080/ there (the page says how), and check the fingerprint with
    sudo $CLI tls status --config $CONF_FILE
  Keep a copy of the keys offline (a restore keeps the CA every PC trusts):
    sudo $CLI keys export /tmp/examroom-keys.bundle --config $CONF_FILE   (then copy it to a USB stick for the safe)
EOF
if [ "$START" -eq 0 ]; then
  echo
  echo "  Started with --no-start: start it with  systemctl start $SERVICE"
fi
