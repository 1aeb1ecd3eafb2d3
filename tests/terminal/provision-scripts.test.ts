// The exam-PC set-up scripts (terminal/provision/) as far as this Debian lab can check them without
// running them on a PC (the headful tests/e2e/exam-pc.test.ts runs the Debian one into a scratch root):
// the shell passes shellcheck, with the X session it writes; the PowerShell, which never ran here, is
// plain ASCII (Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page) with balanced
// brackets, and both read the one policy list.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir } from '../helpers.ts';

const DIR = join(ROOT, 'terminal/provision');

t.test('the Debian script and the X session it writes pass shellcheck (POSIX sh)', async (t) => {
  const root = scratchDir(t);
  const ca = join(root, 'ca.pem');
  spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(root, 'k.pem'),
    '-out',
    ca,
    '-subj',
    '/CN=t',
    '-days',
    '1',
  ]);
  const made = spawnSync(
    'sh',
    [join(DIR, 'exam-pc-debian.sh'), '--server', 'https://examroom.lan:8443', '--seat', 'R101-07', '--ca', ca, '--root', join(root, 'pc'), '--no-install'],
    { encoding: 'utf8' },
  );
  t.equal(made.status, 0, made.stderr);
  for (const file of [
    join(DIR, 'exam-pc-debian.sh'),
    join(root, 'pc/usr/local/lib/examroom/exam-pc-session'),
    join(root, 'pc/etc/profile.d/examroom-exam-pc.sh'),
  ]) {
    const r = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    t.equal(r.status, 0, `shellcheck ${file.startsWith(root) ? file.slice(root.length) : 'exam-pc-debian.sh'}: ${r.stdout}${r.error ? String(r.error) : ''}`);
  }
});

t.test('a seat id that is not a config id is refused before anything is written', async (t) => {
  const root = scratchDir(t);
  const r = spawnSync(
    'sh',
    [join(DIR, 'exam-pc-debian.sh'), '--server', 'https://examroom.lan:8443', '--seat', 'R101 07;rm', '--ca-fingerprint', 'aa', '--root', root],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 2);
  t.match(r.stderr, /--seat must be the terminal's id as in the config \(like R101-07\), got 'R101 07;rm'/);
  t.equal(spawnSync('find', [root, '-type', 'f'], { encoding: 'utf8' }).stdout, '', 'nothing written');
});

t.test('the Windows script is plain ASCII with balanced brackets and reads policies.json', async (t) => {
  const ps = readFileSync(join(DIR, 'exam-pc-windows.ps1'), 'utf8');
  t.same(
    [...ps].filter((c) => c.charCodeAt(0) > 127),
    [],
    'no character outside ASCII',
  );
  for (const [open, close] of [
    ['{', '}'],
    ['(', ')'],
    ['[', ']'],
  ] as const)
    t.equal(ps.split(open).length, ps.split(close).length, `as many ${open} as ${close}`);
  t.match(ps, /Join-Path \$PSScriptRoot 'policies\.json'/, 'the policies come from the one list');
  t.doesNotThrow(() => JSON.parse(readFileSync(join(DIR, 'policies.json'), 'utf8')), 'policies.json is JSON');
});
