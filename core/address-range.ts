// IP addresses and CIDR ranges from the config, checked with Node's own BlockList so that IPv4,
// IPv6 and IPv4-mapped IPv6 (how a dual-stack socket reports an IPv4 peer) all compare correctly.
import { BlockList, isIP } from 'node:net';

export interface AddressRange {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/** `10.0.0.5`, `10.0.0.0/24`, `fd00::/8` → a range; anything else → null. */
export function parseAddressRange(text: string): AddressRange | null {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const v = isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { family: v === 4 ? 'ipv4' : 'ipv6', address, prefix };
}

/** A matcher over the given ranges (already checked by the config loader) plus this machine's loopback. */
export function addressMatcher(ranges: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const r of ranges) {
    const a = parseAddressRange(r);
    if (a) list.addSubnet(a.address, a.prefix, a.family);
  }
  return (ip) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const v4 = mapped?.[1] ?? (isIP(ip) === 4 ? ip : null);
    return v4 ? list.check(v4, 'ipv4') : isIP(ip) === 6 && list.check(ip, 'ipv6');
  };
}
