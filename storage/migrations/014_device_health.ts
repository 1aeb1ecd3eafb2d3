// The latest device-health report of each kiosk and terminal (terminal/protocol.ts DeviceHealthT), as
// the page sent it and the server stamped it. One row per device, replaced by each report: the
// history of a device's health is in the log and audit, not here. (013 is the renumbered tls.)
export const sql = `
CREATE TABLE device_health (
  device_id   TEXT PRIMARY KEY,
  report      TEXT NOT NULL CHECK (json_valid(report)),
  reported_at INTEGER NOT NULL
) STRICT;
`;
