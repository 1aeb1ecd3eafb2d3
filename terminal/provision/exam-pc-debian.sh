#!/bin/sh
# Makes a Debian PC an exam PC (考试机) of the appliance, once per PC (docs/exam-pcs.md, "Debian"):
# the site CA trusted (checked against its fingerprint first), Chromium's managed policies (policies.json
# beside this script: only the appliance's origin, camera and whole-screen capture for it alone, no
# developer tools, downloads, printing, extensions, password manager or translation), a kiosk user that
# logs in by itself on tty1 and starts Xorg with Chromium in kiosk mode on the seat's terminal page,
# restarted if it is closed. Xorg, not Wayland: Chromium picks the whole screen by itself only on X11.
# Prints each thing it did; --undo removes all of it (the kiosk user too with --remove-user).
#
#   sudo sh exam-pc-debian.sh --server https://examroom.lan:8443 --seat R101-07 --ca-fingerprint SHA256
#        [--ca FILE] [--user examkiosk] [--no-install] [--root DIR [--kiosk-home DIR]]
#   sudo sh exam-pc-debian.sh --undo [--remove-user] [--root DIR]
#
# --root DIR writes every file under DIR and runs no system command (no apt, useradd, systemctl,
# update-ca-certificates): what the tests and a dry run use; with --kiosk-home DIR it trusts the CA in the
# Chromium (NSS) store under DIR, as it does in the kiosk user's home on a PC.
set -eu

SERVER='' SEAT='' CA='' FP='' KUSER=examkiosk UNDO='' REMOVE_USER='' ROOT='' NO_INSTALL='' KIOSK_HOME=''
while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER=${2%/}; shift 2 ;;
    --seat) SEAT=$2; shift 2 ;;
    --ca) CA=$2; shift 2 ;;
    --ca-fingerprint) FP=$2; shift 2 ;;
    --user) KUSER=$2; shift 2 ;;
    --root) ROOT=${2%/}; shift 2 ;;
    --kiosk-home) KIOSK_HOME=${2%/}; shift 2 ;;
    --no-install) NO_INSTALL=1; shift ;;
    --undo) UNDO=1; shift ;;
    --remove-user) REMOVE_USER=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "exam-pc-debian: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
ETC=$ROOT/etc/examroom-exam-pc
STATE=$ROOT/var/lib/examroom-exam-pc
MANIFEST=$STATE/manifest
SESSION=$ROOT/usr/local/lib/examroom/exam-pc-session
PROFILE_HOOK=$ROOT/etc/profile.d/examroom-exam-pc.sh
AUTOLOGIN=$ROOT/etc/systemd/system/getty@tty1.service.d/examroom-autologin.conf
CHROMIUM_POLICY=$ROOT/etc/chromium/policies/managed/examroom-exam-pc.json
CHROME_POLICY=$ROOT/etc/opt/chrome/policies/managed/examroom-exam-pc.json
SYSTEM_CA=$ROOT/usr/local/share/ca-certificates/examroom-site-ca.crt
NSS_NICK='examroom site CA'

did() { echo "  $*"; }
# A system command; under --root only said, not run.
sys() {
  if [ -n "$ROOT" ]; then did "(--root: not run) $*"; else "$@"; fi
}
[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || { echo "exam-pc-debian: run as root (sudo), or with --root DIR for a dry run" >&2; exit 1; }

home_of() { getent passwd "$1" | cut -d: -f6; }

# ---------------------------------------------------------------------------------------------- undo
if [ -n "$UNDO" ]; then
  [ -f "$MANIFEST" ] || { echo "exam-pc-debian: nothing to undo ($MANIFEST not found: this PC was not set up by this script)"; exit 0; }
  echo "Removing the exam-PC set-up:"
  KUSER=$(sed -n 's/^user=//p' "$MANIFEST")
  CREATED=$(sed -n 's/^created-user=//p' "$MANIFEST")
  sed -n 's/^file=//p' "$MANIFEST" | while IFS= read -r f; do
    if [ -e "$ROOT$f" ]; then rm -f "$ROOT$f" && did "removed $f"; fi
  done
  if grep -q '^file=/usr/local/share/ca-certificates/examroom-site-ca.crt$' "$MANIFEST"; then
    sys update-ca-certificates --fresh && did "the system store no longer has the site CA"
  fi
  if grep -q '^nss=yes$' "$MANIFEST" && [ -z "$ROOT" ]; then
    KHOME=$(home_of "$KUSER")
    if runuser -u "$KUSER" -- certutil -d "sql:$KHOME/.pki/nssdb" -D -n "$NSS_NICK" 2>/dev/null; then did "removed the site CA from $KUSER's Chromium (NSS) store"; fi
  fi
  sys systemctl daemon-reload
  if [ -n "$REMOVE_USER" ] && [ "$CREATED" = yes ]; then
    sys userdel -r "$KUSER" && did "removed the kiosk user $KUSER"
  elif [ "$CREATED" = yes ]; then
    did "kept the kiosk user $KUSER (--remove-user removes it)"
  fi
  rm -f "$MANIFEST"
  rmdir "$STATE" "$ETC" "$ROOT/usr/local/lib/examroom" 2>/dev/null || true
  echo "Done: reboot to leave the kiosk session (tty1 logs in as usual again)."
  exit 0
fi

# --------------------------------------------------------------------------------------------- set-up
if [ -z "$SERVER" ] || [ -z "$SEAT" ]; then
  echo "usage: $0 --server https://NAME:PORT --seat DEVICE_ID (--ca-fingerprint SHA256 | --ca FILE) [--user examkiosk] | --undo" >&2
  exit 2
fi
case "$SERVER" in
  https://*) ;;
  *) echo "exam-pc-debian: --server must be the appliance's https:// address (a browser gives camera and screen capture only to HTTPS), got $SERVER" >&2; exit 2 ;;
esac
case "$SEAT" in
  *[!A-Za-z0-9._-]*|'') echo "exam-pc-debian: --seat must be the terminal's id as in the config (like R101-07), got '$SEAT'" >&2; exit 2 ;;
esac
[ -n "$CA" ] || [ -n "$FP" ] || { echo "exam-pc-debian: give the site CA's SHA-256 fingerprint (--ca-fingerprint, from 'examroom tls status' or the console) or the file (--ca)" >&2; exit 2; }
ORIGIN=$(echo "$SERVER" | sed -E 's#^(https://[^/]+).*#\1#')
START_URL="$ORIGIN/terminal/?device=$SEAT"
# The source title Chromium's --auto-select-desktop-capture-source must match. A non-ASCII title (整个屏幕
# in a Chinese UI) never matches on Linux (Chromium reads the flag as ASCII; measured on Chromium 156), so
# the browser's own UI runs in English; the exam page is in Chinese whatever the browser's language.
SOURCE_TITLE='Entire screen'

echo "Setting up exam PC $SEAT for $ORIGIN:"
mkdir -p "$STATE" "$ETC"
: > "$MANIFEST.new"
note() { echo "$1" >> "$MANIFEST.new"; }
note "user=$KUSER"
wrote() { note "file=${1#"$ROOT"}"; did "wrote ${1#"$ROOT"}${2:+ ($2)}"; }

# 1. Packages: Xorg, Chromium, the NSS tools.
if [ -z "$NO_INSTALL" ]; then
  sys apt-get install -y --no-install-recommends xserver-xorg-core xserver-xorg-input-libinput xinit x11-xserver-utils chromium libnss3-tools ca-certificates curl openssl >/dev/null
  did "packages: Xorg, xinit, Chromium, libnss3-tools"
fi

# 2. The site CA, never trusted unchecked: the file given, or downloaded and compared with the fingerprint.
CA_TMP=
if [ -z "$CA" ]; then
  CA_TMP=$(mktemp)
  curl -fsSk -o "$CA_TMP" "$ORIGIN/ca.crt" || { echo "exam-pc-debian: cannot download $ORIGIN/ca.crt (is the appliance reachable from this PC?)" >&2; exit 1; }
  CA=$CA_TMP
fi
GOT=$(openssl x509 -in "$CA" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
if [ -n "$FP" ]; then
  WANT=$(echo "$FP" | sed 's/[: ]//g' | tr 'A-F' 'a-f')
  [ "$GOT" = "$WANT" ] || { echo "exam-pc-debian: the site CA has fingerprint $GOT, not $WANT: stopping, nothing trusted" >&2; exit 1; }
  did "the site CA's fingerprint matches ($GOT)"
fi
mkdir -p "$(dirname "$SYSTEM_CA")"
openssl x509 -in "$CA" -out "$SYSTEM_CA"
chmod 0644 "$SYSTEM_CA"
wrote "$SYSTEM_CA" "the site CA"
sys update-ca-certificates >/dev/null
[ -z "$CA_TMP" ] || rm -f "$CA_TMP"

# 3. The kiosk user (no password: it only ever logs in on tty1 by itself).
if getent passwd "$KUSER" >/dev/null 2>&1; then
  note "created-user=no"
  did "the kiosk user $KUSER exists"
else
  note "created-user=yes"
  sys useradd --create-home --shell /bin/sh --comment 'examroom exam PC' "$KUSER"
  did "created the kiosk user $KUSER"
fi
# Chromium reads its trusted CAs from the user's NSS database, not the system store.
NSS_CMDS="mkdir -p \"\$H/.pki/nssdb\" && (certutil -d \"sql:\$H/.pki/nssdb\" -L >/dev/null 2>&1 || certutil -d \"sql:\$H/.pki/nssdb\" -N --empty-password) && certutil -d \"sql:\$H/.pki/nssdb\" -A -t 'C,,' -n '$NSS_NICK' -i '$SYSTEM_CA'"
if [ -z "$ROOT" ]; then
  KHOME=$(home_of "$KUSER")
  runuser -u "$KUSER" -- env H="$KHOME" sh -c "$NSS_CMDS"
  note "nss=yes"
  did "trusted the site CA in $KUSER's Chromium (NSS) store"
elif [ -n "$KIOSK_HOME" ]; then
  H="$KIOSK_HOME" sh -c "$NSS_CMDS"
  did "trusted the site CA in the NSS store under $KIOSK_HOME (--kiosk-home)"
fi

# 4. Browser policies (Chromium, and Google Chrome where it is installed).
policy() {
  mkdir -p "$(dirname "$1")"
  sed -e '/^  "\/\/"/d' -e "s#@ORIGIN@#$ORIGIN#g" -e "s#@START_URL@#$START_URL#g" "$HERE/policies.json" > "$1"
  chmod 0644 "$1"
  wrote "$1" "$2"
}
policy "$CHROMIUM_POLICY" "Chromium policies: only $ORIGIN, capture allowed for it alone, no dev tools/downloads/printing/extensions"
if [ -n "$ROOT" ] || command -v google-chrome >/dev/null 2>&1; then policy "$CHROME_POLICY" "the same for Google Chrome"; fi

# 5. The browser's flags and the kiosk session (Xorg + Chromium, restarted if it is closed).
cat > "$ETC/chromium-flags" <<FLAGS
--kiosk
--no-first-run
--noerrdialogs
--disable-session-crashed-bubble
--disable-features=Translate
--password-store=basic
--check-for-update-interval=31536000
--lang=en-US
--auto-select-desktop-capture-source=$SOURCE_TITLE
FLAGS
wrote "$ETC/chromium-flags" "kiosk mode, whole screen picked by itself: '$SOURCE_TITLE'"
echo "$START_URL" > "$ETC/start-url"
wrote "$ETC/start-url" "$START_URL"
mkdir -p "$(dirname "$SESSION")"
cat > "$SESSION" <<'SESSION_SCRIPT'
#!/bin/sh
# The exam PC's X session (set up by exam-pc-debian.sh): no screen saver, Chromium in kiosk mode on the
# seat's terminal page, started again if it ever exits. chromium-flags.local (one flag a line), if there,
# adds a site's own flags (a proxy, say).
ETC=${EXAMROOM_PC_ETC:-/etc/examroom-exam-pc}
PROFILE="$HOME/.config/examroom-exam-pc"
xset s off -dpms s noblank 2>/dev/null || true
set --
for file in "$ETC/chromium-flags" "$ETC/chromium-flags.local"; do
  [ -f "$file" ] || continue
  # (a last line without a newline counts too)
  while IFS= read -r flag || [ -n "$flag" ]; do [ -n "$flag" ] && set -- "$@" "$flag"; done < "$file"
done
# Without a window manager nothing resizes the kiosk window to the screen: Chromium is told the size.
SIZE=$(xrandr 2>/dev/null | sed -n 's/.* current \([0-9]*\) x \([0-9]*\).*/\1,\2/p' | head -n 1)
[ -z "$SIZE" ] || set -- "$@" --window-position=0,0 --window-size="$SIZE"
# A first start's profile: no translation offer, no password saving — what the policies say, kept in
# the profile too so a PC whose policy file went missing still does not ask.
if [ ! -f "$PROFILE/Default/Preferences" ]; then
  mkdir -p "$PROFILE/Default"
  echo '{"translate":{"enabled":false},"credentials_enable_service":false,"profile":{"password_manager_enabled":false}}' > "$PROFILE/Default/Preferences"
fi
URL=$(cat "$ETC/start-url")
export LANGUAGE=en_US:en
while :; do
  chromium "$@" --user-data-dir="$PROFILE" "$URL"
  sleep 2
done
SESSION_SCRIPT
chmod 0755 "$SESSION"
wrote "$SESSION" "the X session: Chromium in kiosk mode, restarted if closed"
mkdir -p "$(dirname "$PROFILE_HOOK")"
cat > "$PROFILE_HOOK" <<HOOK
# examroom exam PC: the kiosk user's log-in on tty1 starts the X session (set up by exam-pc-debian.sh).
if [ "\$(id -un)" = "$KUSER" ] && [ "\$(tty)" = /dev/tty1 ] && [ -z "\${DISPLAY:-}" ]; then
  exec startx /usr/local/lib/examroom/exam-pc-session -- -nolisten tcp vt1
fi
HOOK
wrote "$PROFILE_HOOK" "$KUSER on tty1 starts Xorg with the session"
mkdir -p "$(dirname "$AUTOLOGIN")"
cat > "$AUTOLOGIN" <<UNIT
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin $KUSER --noclear %I \$TERM
UNIT
wrote "$AUTOLOGIN" "tty1 logs in as $KUSER by itself"
sys systemctl daemon-reload

mv "$MANIFEST.new" "$MANIFEST"
did "recorded what was done in ${MANIFEST#"$ROOT"} (--undo removes it)"
echo "Done. Reboot: the PC starts the terminal page $START_URL full screen and shows a pairing code."
echo "Approve the room's PCs together in the admin console (设备 Devices → 按考场批量批准) or: examroom device approve --room ROOM --all"
