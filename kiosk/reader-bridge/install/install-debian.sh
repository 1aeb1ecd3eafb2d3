#!/bin/sh
# Installs the ID-card reader bridge on a Debian kiosk PC (docs/kiosk-api.md "Installing the bridge"):
# a service user in group dialout (the serial port), the bridge in /opt, its config in /etc, its token
# in /var/lib (0600, the service user's only), the site CA in the system store, in Chromium's NSS
# database of the kiosk's user and for the bridge (NODE_EXTRA_CA_CERTS), a systemd unit started at
# boot and restarted if it stops; then it pairs (an admin approves the code shown) and starts.
#
#   sudo sh install-debian.sh --url https://examroom.local --kiosk K1 --port /dev/ttyUSB0 \
#        [--ca examroom-site-ca.crt | --ca-fingerprint SHA256] [--kiosk-user kiosk] [--photo-decoder "CMD {in} {out}"]
set -eu
URL= KIOSK= PORT=/dev/ttyUSB0 CA= FP= KUSER= DECODER=
while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL=$2; shift 2 ;;
    --kiosk) KIOSK=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --ca) CA=$2; shift 2 ;;
    --ca-fingerprint) FP=$2; shift 2 ;;
    --kiosk-user) KUSER=$2; shift 2 ;;
    --photo-decoder) DECODER=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$URL" ] && [ -n "$KIOSK" ] || { echo "usage: $0 --url https://NAME --kiosk K1 [--port /dev/ttyUSB0] [--ca FILE | --ca-fingerprint SHA256]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (sudo)" >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 18 or newer is needed: apt-get install nodejs" >&2; exit 1; }
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 18 ] || { echo "Node.js $NODE_MAJOR is too old: 18 or newer is needed" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
ETC=/etc/examroom-reader-bridge
STATE=/var/lib/examroom-reader-bridge

id examroom-reader >/dev/null 2>&1 || useradd --system --no-create-home --home-dir "$STATE" --shell /usr/sbin/nologin examroom-reader
usermod -a -G dialout examroom-reader
install -d -m 0755 /opt/examroom-reader-bridge "$ETC"
install -d -m 0700 -o examroom-reader -g examroom-reader "$STATE"
install -m 0644 "$HERE/examroom-reader-bridge.mjs" /opt/examroom-reader-bridge/

# The site CA (when the appliance has made one): from a file, or downloaded and checked against the
# fingerprint an admin reads in the console (System → HTTPS). Never trusted unchecked.
if [ -z "$CA" ] && [ -n "$FP" ]; then
  CA=$(mktemp)
  curl -fsSk -o "$CA" "$URL/ca.crt"
  GOT=$(openssl x509 -in "$CA" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
  WANT=$(echo "$FP" | sed 's/://g' | tr 'A-F' 'a-f')
  [ "$GOT" = "$WANT" ] || { echo "the CA at $URL/ca.crt has fingerprint $GOT, not $WANT: stopping" >&2; exit 1; }
fi
if [ -n "$CA" ]; then
  install -m 0644 "$CA" "$ETC/site-ca.crt"
  cp "$ETC/site-ca.crt" /usr/local/share/ca-certificates/examroom-site-ca.crt
  update-ca-certificates >/dev/null
  if [ -n "$KUSER" ]; then
    command -v certutil >/dev/null || apt-get install -y libnss3-tools >/dev/null
    KHOME=$(getent passwd "$KUSER" | cut -d: -f6)
    su -s /bin/sh "$KUSER" -c "mkdir -p '$KHOME/.pki/nssdb' && (certutil -d 'sql:$KHOME/.pki/nssdb' -L >/dev/null 2>&1 || certutil -d 'sql:$KHOME/.pki/nssdb' -N --empty-password) && certutil -d 'sql:$KHOME/.pki/nssdb' -A -t 'C,,' -n 'examroom site CA' -i '$ETC/site-ca.crt'"
  fi
  EXTRA_CA="Environment=NODE_EXTRA_CA_CERTS=$ETC/site-ca.crt"
else
  EXTRA_CA=
fi

node -e '
const [url, kiosk, port, decoder] = process.argv.slice(1);
process.stdout.write(JSON.stringify({ url, kiosk, port, baud: 115200, tokenFile: "/var/lib/examroom-reader-bridge/token.json", photoDecoder: decoder || null }, null, 2) + "\n");
' "$URL" "$KIOSK" "$PORT" "$DECODER" > "$ETC/bridge.json"
chmod 0644 "$ETC/bridge.json"

cat > /etc/systemd/system/examroom-reader-bridge.service <<UNIT
[Unit]
Description=examroom ID-card reader bridge (kiosk $KIOSK)
After=network-online.target
Wants=network-online.target

[Service]
User=examroom-reader
Group=examroom-reader
SupplementaryGroups=dialout
$EXTRA_CA
ExecStart=/usr/bin/env node /opt/examroom-reader-bridge/examroom-reader-bridge.mjs run --config $ETC/bridge.json
Restart=always
RestartSec=3
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
ReadWritePaths=$STATE
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNIT

if [ ! -s "$STATE/token.json" ]; then
  echo "Pairing: approve the code below in the admin console (Devices) as $KIOSK.reader"
  runuser -u examroom-reader -- env ${EXTRA_CA:+NODE_EXTRA_CA_CERTS=$ETC/site-ca.crt} node /opt/examroom-reader-bridge/examroom-reader-bridge.mjs pair --config "$ETC/bridge.json"
fi
systemctl daemon-reload
systemctl enable --now examroom-reader-bridge.service
echo "installed; check: journalctl -u examroom-reader-bridge -f, and the kiosk's row in the console's device list"
