// Which names and addresses the server certificate covers, and which the site CA may ever vouch for.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { isIP } from 'node:net';

export interface CertNames {
  dns: string[];
  ips: string[];
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The host's LAN addresses: not loopback, not IPv6 link-local (a browser cannot use those in a URL). */
export function lanAddresses(interfaces: Interfaces = networkInterfaces()): NetworkInterfaceInfo[] {
  return Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)));
}

/**
 * server.names, plus the host's LAN addresses when names gives no address: a site that names only
 * examroom.lan is still reachable at 192.168.1.10 while its DNS is being set up.
 */
export function certificateNames(configNames: string[], interfaces?: Interfaces): CertNames {
  const dns = configNames.filter((n) => !isIP(n)).map((n) => n.toLowerCase());
  let ips = configNames.filter((n) => isIP(n)).map(normaliseIp);
  if (ips.length === 0) ips = lanAddresses(interfaces).map((a) => normaliseIp(a.address));
  return { dns: [...new Set(dns)].sort(), ips: [...new Set(ips)].sort() };
}

export function normaliseIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return bigToV6(v6ToBig(ip));
}

/** Parses X509Certificate.subjectAltName back into names (IPv6 printed in full by OpenSSL). */
export function namesOfSan(san: string | undefined): CertNames {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const part of (san ?? '').split(', ')) {
    if (part.startsWith('DNS:')) dns.push(part.slice(4).toLowerCase());
    else if (part.startsWith('IP Address:')) ips.push(normaliseIp(part.slice(11)));
  }
  return { dns: dns.sort(), ips: ips.sort() };
}

export function sameNames(a: CertNames, b: CertNames): boolean {
  return a.dns.join() === b.dns.join() && a.ips.join() === b.ips.join();
}

/**
 * The CA's scope: the certificate's DNS names (a DNS constraint also covers their subdomains), and
 * for each address the LAN subnet it sits in (so a new DHCP lease on the same network needs no new CA),
 * else the address alone.
 */
export function caScope(names: CertNames, interfaces: Interfaces = networkInterfaces()): { dns: string[]; ipRanges: string[] } {
  const lan = lanAddresses(interfaces);
  const ranges = names.ips.map((ip) => {
    const iface = lan.find((a) => normaliseIp(a.address) === ip && a.cidr);
    if (iface?.cidr) return networkOf(iface.cidr);
    return isIP(ip) === 6 ? `${ip}/128` : `${ip}/32`;
  });
  return { dns: names.dns, ipRanges: [...new Set(ranges)].sort() };
}

/**
 * The nameConstraints extension line. A CA without a DNS subtree may vouch for ANY DNS name (RFC 5280
 * constrains only the name types listed), so a site with no DNS names gets the reserved name "invalid"
 * (RFC 2606), which no real host has; likewise an IP range that matches nothing when no address is known.
 */
export function nameConstraintsLine(scope: { dns: string[]; ipRanges: string[] }): string {
  const dns = scope.dns.length > 0 ? scope.dns : ['invalid'];
  const ips = scope.ipRanges.length > 0 ? scope.ipRanges : ['0.0.0.0/32'];
  const hasV4 = ips.some((r) => isIP(r.split('/')[0]!) === 4);
  const hasV6 = ips.some((r) => isIP(r.split('/')[0]!) === 6);
  // Each family must be constrained on its own: an IPv4-only subtree list leaves IPv6 open in some verifiers.
  const all = [...ips, ...(hasV4 ? [] : ['0.0.0.0/32']), ...(hasV6 ? [] : ['::/128'])];
  return `nameConstraints = critical, ${[...dns.map((d) => `permitted;DNS:${d}`), ...all.map((r) => `permitted;IP:${rangeForOpenssl(r)}`)].join(', ')}`;
}

function rangeForOpenssl(cidr: string): string {
  const [addr, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  if (isIP(addr) === 4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return `${addr}/${[24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.')}`;
  }
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  return `${addr}/${bigToV6(mask)}`;
}

function networkOf(cidr: string): string {
  const [addr, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  if (isIP(addr) === 4) {
    const n = addr.split('.').reduce((acc, o) => (acc << 8n) + BigInt(o), 0n);
    const mask = bits === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - bits)) - 1n);
    const net = n & mask;
    return `${[24n, 16n, 8n, 0n].map((s) => String((net >> s) & 255n)).join('.')}/${bits}`;
  }
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  return `${bigToV6(v6ToBig(addr) & mask)}/${bits}`;
}

function v6ToBig(ip: string): bigint {
  let s = ip.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    s = s.replace(v4[1]!, `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`);
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail === null ? [] : tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

/** Full, lower-case, uncompressed form: the way OpenSSL prints an IPv6 SAN, so both sides compare equal. */
function bigToV6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16).toUpperCase());
  return groups.join(':');
}
