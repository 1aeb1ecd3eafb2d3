// Which names the server certificate covers and what the site CA may vouch for (server/tls/names.ts),
// IPv6 included: the certificate's SAN list and the constraints must agree with what OpenSSL prints.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { caScope, certificateNames, nameConstraintsLine } from '../../server/tls/names.ts';
import { prepareSiteTls } from '../../server/tls/index.ts';
import { parseConfig } from '../../config/index.ts';
import { openDatabase } from '../../storage/index.ts';
import { systemClock } from '../../core/index.ts';
import { scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';

const IFACES = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [
    { address: '10.1.2.3', netmask: '255.255.0.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '10.1.2.3/16' },
    {
      address: 'fd00:abcd::5',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6' as const,
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: 'fd00:abcd::5/64',
      scopeid: 0,
    },
    {
      address: 'fe80::1',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6' as const,
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: 'fe80::1/64',
      scopeid: 2,
    },
  ],
};

t.test('LAN addresses: not loopback, not IPv6 link-local; subnets become the CA scope', async (t) => {
  const n = certificateNames(['Examroom.LAN'], IFACES);
  t.same(n, { dns: ['examroom.lan'], ips: ['10.1.2.3', 'FD00:ABCD:0:0:0:0:0:5'] });
  t.same(caScope(n, IFACES), { dns: ['examroom.lan'], ipRanges: ['10.1.0.0/16', 'FD00:ABCD:0:0:0:0:0:0/64'] });
  t.equal(
    nameConstraintsLine(caScope(n, IFACES)),
    'nameConstraints = critical, permitted;DNS:examroom.lan, permitted;IP:10.1.0.0/255.255.0.0, permitted;IP:FD00:ABCD:0:0:0:0:0:0/FFFF:FFFF:FFFF:FFFF:0:0:0:0',
  );
  t.same(certificateNames(['a.lan', '192.168.1.10'], IFACES).ips, ['192.168.1.10'], 'a named address replaces the LAN ones');
  t.match(
    nameConstraintsLine({ dns: [], ipRanges: ['10.0.0.0/8'] }),
    /^nameConstraints = critical, permitted;DNS:invalid, permitted;IP:10.0.0.0\/255.0.0.0, permitted;IP:::\/FFFF(:FFFF){7}$/,
    'every name type is constrained',
  );
});

t.test('an IPv6 address is issued, compared and verified as OpenSSL prints it', async (t) => {
  const dir = scratchDir(t);
  const config = parseConfig(
    TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [examroom.lan] }'),
    { dataDir: join(dir, 'data') },
  );
  const db = openDatabase(join(dir, 'data', 'db.sqlite'));
  t.teardown(() => db.close());
  const first = await prepareSiteTls({ config, db, clock: systemClock, interfaces: IFACES });
  t.equal(
    new X509Certificate(readFileSync(join(dir, 'data-keys', 'server.crt'))).subjectAltName,
    'DNS:examroom.lan, IP Address:10.1.2.3, IP Address:FD00:ABCD:0:0:0:0:0:5',
  );
  t.same(
    first.events.map((e) => e.kind),
    ['ca.created', 'server.issued'],
  );
  const again = await first.tls!.refresh();
  t.same(again.events, [], 'the same names: nothing re-issued');
  const v = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'data-keys', 'site-ca.crt'), join(dir, 'data-keys', 'server.crt')], { encoding: 'utf8' });
  t.equal(v.status, 0, v.stderr);
});
