// CIDR matching for `in_cidr`. IPv4 is kept as an unsigned 32-bit number so the common case is two
// integer operations; IPv6 uses bigint. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as dual-stack
// servers log it) matches IPv4 ranges.

export function parseIPv4(s: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits += 1;
      if (digits > 3 || octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

export function parseIPv6(input: string): bigint | undefined {
  const s = input.includes('%') ? input.slice(0, input.indexOf('%')) : input;
  if (s.length < 2 || s.length > 45 || !s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const items = part.split(':');
    for (let k = 0; k < items.length; k += 1) {
      const g = items[k]!;
      if (k === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        groups.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        groups.push(parseInt(g, 16));
      }
    }
    return groups;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(g);
  return v;
}

const MAPPED_PREFIX = 0xffffn << 32n;

interface Ranges {
  v4: { net: number; mask: number }[];
  v6: { net: bigint; mask: bigint }[];
}

/** Throws an Error naming the bad range. */
export function compileCidrs(texts: string[]): (ip: string) => boolean {
  const r: Ranges = { v4: [], v6: [] };
  for (const text of texts) {
    const slash = text.indexOf('/');
    const addr = slash < 0 ? text : text.slice(0, slash);
    const lenText = slash < 0 ? undefined : text.slice(slash + 1);
    const v4 = parseIPv4(addr);
    if (v4 !== undefined) {
      const len = lenText === undefined ? 32 : /^\d{1,2}$/.test(lenText) ? Number(lenText) : NaN;
      if (!(len >= 0 && len <= 32)) throw new Error(`invalid CIDR "${text}": prefix length must be 0-32`);
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      r.v4.push({ net: (v4 & mask) >>> 0, mask });
      continue;
    }
    const v6 = parseIPv6(addr);
    if (v6 === undefined) throw new Error(`invalid CIDR "${text}": not an IPv4 or IPv6 address`);
    const len = lenText === undefined ? 128 : /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
    if (!(len >= 0 && len <= 128)) throw new Error(`invalid CIDR "${text}": prefix length must be 0-128`);
    const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(128 - len);
    r.v6.push({ net: v6 & mask, mask });
  }
  const testV4 = (ip: number): boolean => {
    for (const { net, mask } of r.v4) if ((ip & mask) >>> 0 === net) return true;
    return false;
  };
  return (ip) => {
    const v4 = parseIPv4(ip);
    if (v4 !== undefined) return testV4(v4);
    if (ip.length > 64) return false;
    const v6 = parseIPv6(ip);
    if (v6 === undefined) return false;
    if (v6 >> 32n === MAPPED_PREFIX >> 32n && r.v4.length > 0 && testV4(Number(v6 & 0xffffffffn))) return true;
    for (const { net, mask } of r.v6) if ((v6 & mask) === net) return true;
    return false;
  };
}
