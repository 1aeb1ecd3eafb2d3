// The installer's folder step (systemd/install.sh prepare_service_folders), run in a scratch root: it runs
// as root on folders the service account owns, so a symbolic link that account plants where a data or
// keys folder goes must be refused, and nothing behind it changed (issue 16, item 8).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { scratchDir } from '../helpers.ts';

const INSTALL_SH = resolve(import.meta.dirname, '..', '..', 'systemd', 'install.sh');
// As root the folders go to nobody, so a chown through a link would show; otherwise chown can only give
// a folder to oneself, and the mode (0750/0700 against the target's 0755) shows a change instead.
const asRoot = process.getuid?.() === 0;
const owner = asRoot ? { uid: 65534, gid: 65534 } : { uid: process.getuid!(), gid: process.getgid!() };

/** A scratch "/" with /var/lib and an /etc holding a file, both as a fresh system has them. */
function scratchRoot(t: Parameters<typeof scratchDir>[0]) {
  const root = scratchDir(t, 'examroom-install-');
  mkdirSync(join(root, 'var/lib'), { recursive: true });
  mkdirSync(join(root, 'etc'));
  chmodSync(join(root, 'etc'), 0o755);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n', { mode: 0o644 });
  return root;
}

function runFolderStep(root: string) {
  const r = spawnSync('bash', ['-c', 'source "$1" && prepare_service_folders "$2" "$3" "$4"', 'bash', INSTALL_SH, root, String(owner.uid), String(owner.gid)], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
  });
  return { status: r.status, stderr: r.stderr };
}

const describe = (path: string) => {
  const st = lstatSync(path);
  return { mode: (st.mode & 0o7777).toString(8), uid: st.uid, gid: st.gid };
};

t.test('a fresh install makes the data folders 0750 and the keys folder 0700, owned by the service account', async (t) => {
  const root = scratchRoot(t);
  const r = runFolderStep(root);
  t.equal(r.status, 0, r.stderr);
  for (const d of ['', '/db', '/media', '/captures', '/archives'])
    t.same(describe(join(root, `var/lib/examroom${d}`)), { mode: '750', ...owner }, `var/lib/examroom${d}`);
  t.same(describe(join(root, 'var/lib/examroom-keys')), { mode: '700', ...owner });
  t.equal(runFolderStep(root).status, 0, 'an upgrade over its own folders passes');
});

for (const [where, folder] of [
  ['a data sub-folder', 'var/lib/examroom/media'],
  ['the keys folder', 'var/lib/examroom-keys'],
] as const) {
  t.test(`a symbolic link planted as ${where} is refused, and its target is left as it was`, async (t) => {
    const root = scratchRoot(t);
    t.equal(runFolderStep(root).status, 0, 'first install');
    const etc = join(root, 'etc');
    const before = { etc: describe(etc), passwd: describe(join(etc, 'passwd')) };
    const link = join(root, folder);
    // What the service account can do between two upgrades: its own folder swapped for a link to /etc.
    spawnSync('rm', ['-rf', link]);
    symlinkSync(etc, link);

    const r = runFolderStep(root);
    t.equal(r.status, 1, 'the upgrade stops');
    t.match(r.stderr, `${link} is a symbolic link (to ${etc})`);
    t.match(r.stderr, 'Nothing was changed');
    t.same({ etc: describe(etc), passwd: describe(join(etc, 'passwd')) }, before, 'the link target keeps its owner and mode');
    t.equal(readlinkSync(link), etc, 'the link itself is left for the admin to look at');
  });
}

t.test('a dangling link where a folder goes is refused and nothing is made where it points', async (t) => {
  const root = scratchRoot(t);
  mkdirSync(join(root, 'var/lib/examroom'));
  const target = join(root, 'etc/examroom-owned');
  symlinkSync(target, join(root, 'var/lib/examroom/db'));
  const r = runFolderStep(root);
  t.equal(r.status, 1);
  t.match(r.stderr, 'is a symbolic link');
  t.notOk(existsSync(target), 'no folder created behind the link');
});

t.test('a file where a folder goes is refused by name', async (t) => {
  const root = scratchRoot(t);
  writeFileSync(join(root, 'var/lib/examroom-keys'), 'not a folder');
  const r = runFolderStep(root);
  t.equal(r.status, 1);
  t.match(r.stderr, `${join(root, 'var/lib/examroom-keys')} exists and is a file`);
  t.ok(statSync(join(root, 'var/lib/examroom-keys')).isFile());
});
