// The installer's folder step (systemd/install.sh prepare_service_folders): creates each folder the
// service writes and gives it to the service account, WITHOUT following a symbolic link at any step.
// install.sh runs as root on folders the service account already owns, so that account can replace a
// sub-folder with a link to /etc between two upgrades: `install -d -o examroom` would then hand /etc to
// it. Here every folder is opened with O_NOFOLLOW | O_DIRECTORY and changed through that descriptor
// (fchown, fchmod), so a link planted before the check, or swapped in after it, is refused, never followed.
//
//   node systemd/service-folder.mjs UID GID MODE DIR [DIR ...]
//
// DIRs are handled in order (list a parent before its children): each is made when missing (mkdir does
// not follow a link either) and must then be a real folder. Exit 1 with the folder and the reason at
// the first refusal, having changed nothing in it or behind it.
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync } from 'node:fs';
import { isAbsolute } from 'node:path';

const [uidArg, gidArg, modeArg, ...dirs] = process.argv.slice(2);
const fail = (message) => {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
};
const uid = Number(uidArg);
const gid = Number(gidArg);
const mode = Number.parseInt(modeArg ?? '', 8);
if (!Number.isInteger(uid) || uid < 0 || !Number.isInteger(gid) || gid < 0 || !/^0?[0-7]{3}$/.test(modeArg ?? '') || dirs.length === 0)
  fail('usage: node systemd/service-folder.mjs UID GID MODE DIR [DIR ...] (numeric ids, an octal mode such as 0750, absolute folders)');

for (const dir of dirs) {
  if (!isAbsolute(dir)) fail(`${dir}: a service folder must be an absolute path`);
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if (err.code !== 'EEXIST') fail(`${dir}: cannot create the folder (${err.code}: ${err.message})`);
  }
  let fd;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    // O_NOFOLLOW | O_DIRECTORY on a link fails with ELOOP or ENOTDIR depending on the kernel: ask lstat which it is.
    let st = null;
    try {
      st = lstatSync(dir);
    } catch {}
    if (st?.isSymbolicLink()) {
      let target = '?';
      try {
        target = readlinkSync(dir);
      } catch {}
      fail(
        `${dir} is a symbolic link (to ${target}), not a folder. The service account can replace its own folders, so a link ` +
          'here may be an attempt to have this installer hand the target to it. Nothing was changed. Check where it points, ' +
          `remove the link (rm ${dir}) and re-run the installer.`,
      );
    }
    if (st && !st.isDirectory()) fail(`${dir} exists and is ${st.isFile() ? 'a file' : 'not a folder'}; move it away and re-run the installer`);
    fail(`${dir}: cannot open the folder (${err.code}: ${err.message})`);
  }
  try {
    // Through the descriptor: whatever the name points to now, only the folder that was opened changes.
    const st = fstatSync(fd);
    if (st.uid !== uid || st.gid !== gid) fchownSync(fd, uid, gid);
    if ((st.mode & 0o7777) !== mode) fchmodSync(fd, mode);
  } catch (err) {
    fail(`${dir}: cannot set owner ${uid}:${gid} and mode ${modeArg} (${err.code}: ${err.message})`);
  } finally {
    closeSync(fd);
  }
}
