import { isIP } from 'node:net';

/**
 * Which IP addresses Steward may open a connection to (docs/architecture.md §6).
 *
 * Health checks, deployment gates, traffic routers and webhooks all fetch URLs a user typed in.
 * Without this check a user could make Steward reach the cloud metadata endpoint, the VPC, or
 * services on its own loopback. The rule: an address is refused when it is in any special-purpose
 * range (IANA IPv4/IPv6 Special-Purpose Address Registries, plus multicast and the reserved
 * blocks), and IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the
 * IPv4 address they carry, because that is where the packets end up. An explicit allowlist of CIDRs
 * overrides a refusal, so the local runtime can reach services on loopback.
 *
 * Pure functions only: no DNS, no I/O. Resolution and connecting live in safe-fetch.ts.
 */

/** Why an address is not publicly routable. */
export type RangeCategory =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved'
  | 'invalid';

export interface Cidr {
  /** As written by whoever configured it, e.g. `10.1.0.0/16`. */
  readonly text: string;
  readonly version: 4 | 6;
  /** The network address (host bits cleared), as an integer. */
  readonly base: bigint;
  readonly prefix: number;
}

export interface AddressPolicy {
  /** Ranges that may be contacted even though they are special-purpose. Empty means strict. */
  readonly allow: readonly Cidr[];
}

export type AddressVerdict =
  | {
      readonly allowed: true;
      readonly address: string;
      /** The allowlist entry that let a special-purpose address through, if one did. */
      readonly allowedBy?: string;
    }
  | {
      readonly allowed: false;
      readonly address: string;
      readonly category: RangeCategory;
      /** The range the address fell in, e.g. `10.0.0.0/8`. */
      readonly range: string;
      /** One sentence for people: which address, which range, why. */
      readonly reason: string;
    };

interface ParsedAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

interface SpecialRange {
  readonly cidr: Cidr;
  readonly category: RangeCategory;
  /** Words for the reason, e.g. "private". */
  readonly label: string;
  /** Where it is defined, e.g. "RFC 1918". */
  readonly ref?: string;
  /** The range reported for a single well-known address inside a block (the metadata endpoints). */
  readonly within?: string;
}

/** An IPv6 range whose low bits carry an IPv4 address that decides the verdict. */
interface EmbeddingRange {
  readonly cidr: Cidr;
  readonly label: string;
  /** Bit offset (from the least significant end) of the 32-bit IPv4 address inside the IPv6 one. */
  readonly shift: bigint;
}

const V4_BITS = 32;
const V6_BITS = 128;

function bitsOf(version: 4 | 6): number {
  return version === 4 ? V4_BITS : V6_BITS;
}

/** Parses a textual IPv4 or IPv6 address (brackets and an IPv6 zone are tolerated); null if it is not one. */
export function parseAddress(text: string): ParsedAddress | null {
  let candidate = text.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  // A zone ("fe80::1%eth0") scopes a link-local address to an interface; the address is what counts.
  if (zone !== -1) candidate = candidate.slice(0, zone);
  // net.isIP accepts only the canonical dotted quad (no octal, hex or short forms like "127.1"),
  // so odd spellings are not an escape hatch: the URL parser normalises those before they get here.
  switch (isIP(candidate)) {
    case 4:
      return { version: 4, value: parseV4(candidate) };
    case 6:
      return { version: 6, value: parseV6(candidate) };
    default:
      return null;
  }
}

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint {
  let body = text;
  const groups: number[] = [];
  let tail: number[] = [];
  // A trailing dotted quad ("::ffff:10.0.0.1") is two more 16-bit groups.
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = Number(parseV4(body.slice(lastColon + 1)));
    tail = [(v4 >>> 16) & 0xffff, v4 & 0xffff];
    body = body.slice(0, lastColon + 1);
    // "::ffff:" ends in a single colon that belonged to the quad; "::" must stay intact.
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  const head = halves[0] ? halves[0].split(':').map((g) => Number.parseInt(g, 16)) : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':').map((g) => Number.parseInt(g, 16)) : [];
  const after = [...rest, ...tail];
  const missing = 8 - head.length - after.length;
  groups.push(...head, ...new Array<number>(halves.length > 1 ? missing : 0).fill(0), ...after);
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). Host bits set below the
 * prefix are an error: `10.0.0.1/8` is almost always a typo, and silently widening it would allow
 * more than was meant.
 */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address || addressText.includes('%') || addressText.startsWith('[')) {
    throw new Error(`"${trimmed}" is not an IP address or CIDR range`);
  }
  const bits = bitsOf(address.version);
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      throw new Error(`"${trimmed}" has an invalid prefix length (0 to ${bits} for IPv${address.version})`);
    }
    prefix = Number(prefixText);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((address.value & hostMask) !== 0n) {
    throw new Error(`"${trimmed}" has host bits set below /${prefix}; did you mean the network address?`);
  }
  return { text: trimmed, version: address.version, base: address.value, prefix };
}

function contains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.version !== address.version) return false;
  const shift = BigInt(bitsOf(cidr.version) - cidr.prefix);
  return address.value >> shift === cidr.base >> shift;
}

function range(text: string, category: RangeCategory, label: string, ref?: string, within?: string): SpecialRange {
  return { cidr: parseCidr(text), category, label, ...(ref ? { ref } : {}), ...(within ? { within } : {}) };
}

/**
 * IPv4 special-purpose ranges. The longest matching prefix wins, so a more specific entry (the
 * metadata endpoint, the limited broadcast address) names the address better than its block.
 * Ranges the IANA registry marks globally reachable (AS112, AMT) are left out on purpose.
 */
const V4_RANGES: readonly SpecialRange[] = [
  range('0.0.0.0/32', 'unspecified', 'the unspecified address'),
  range('0.0.0.0/8', 'reserved', '"this network"', 'RFC 791'),
  range('10.0.0.0/8', 'private', 'private', 'RFC 1918'),
  range('100.64.0.0/10', 'shared', 'carrier-grade NAT shared space', 'RFC 6598'),
  range('127.0.0.0/8', 'loopback', 'loopback'),
  range('169.254.0.0/16', 'link-local', 'link-local'),
  range('169.254.169.254/32', 'link-local', 'link-local, the cloud instance metadata endpoint', undefined, '169.254.0.0/16'),
  range('172.16.0.0/12', 'private', 'private', 'RFC 1918'),
  range('192.0.0.0/24', 'reserved', 'reserved for IETF protocol assignments', 'RFC 6890'),
  range('192.0.2.0/24', 'documentation', 'reserved for documentation (TEST-NET-1)', 'RFC 5737'),
  range('192.88.99.0/24', 'reserved', 'the deprecated 6to4 relay anycast', 'RFC 7526'),
  range('192.168.0.0/16', 'private', 'private', 'RFC 1918'),
  range('198.18.0.0/15', 'reserved', 'reserved for benchmarking', 'RFC 2544'),
  range('198.51.100.0/24', 'documentation', 'reserved for documentation (TEST-NET-2)', 'RFC 5737'),
  range('203.0.113.0/24', 'documentation', 'reserved for documentation (TEST-NET-3)', 'RFC 5737'),
  range('224.0.0.0/4', 'multicast', 'multicast'),
  range('240.0.0.0/4', 'reserved', 'reserved for future use', 'RFC 1112'),
  range('255.255.255.255/32', 'broadcast', 'the limited broadcast address'),
];

const V6_RANGES: readonly SpecialRange[] = [
  range('::/128', 'unspecified', 'the unspecified address'),
  range('::1/128', 'loopback', 'loopback'),
  range('::/96', 'reserved', 'a deprecated IPv4-compatible address', 'RFC 4291'),
  range('::ffff:0:0:0/96', 'reserved', 'an IPv4-translated address', 'RFC 2765'),
  range('64:ff9b:1::/48', 'reserved', 'local-use NAT64', 'RFC 8215'),
  range('100::/64', 'reserved', 'discard-only', 'RFC 6666'),
  range('2001::/23', 'reserved', 'reserved for IETF protocol assignments', 'RFC 2928'),
  range('2001::/32', 'reserved', 'Teredo', 'RFC 4380'),
  range('2001:db8::/32', 'documentation', 'reserved for documentation', 'RFC 3849'),
  range('3fff::/20', 'documentation', 'reserved for documentation', 'RFC 9637'),
  range('fc00::/7', 'private', 'unique local (private)', 'RFC 4193'),
  range('fd00:ec2::254/128', 'private', 'unique local, the AWS instance metadata endpoint', undefined, 'fc00::/7'),
  range('fe80::/10', 'link-local', 'link-local'),
  range('fec0::/10', 'reserved', 'deprecated site-local', 'RFC 3879'),
  range('ff00::/8', 'multicast', 'multicast'),
];

/**
 * IPv6 forms that deliver to an IPv4 address. They are allowed exactly when that IPv4 address is:
 * an AWS IPv6-only subnet with DNS64 hands out 64:ff9b::/96 addresses for ordinary public hosts,
 * so refusing NAT64 wholesale would break real checks, while 64:ff9b::a00:1 is just 10.0.0.1.
 */
const V6_EMBEDDINGS: readonly EmbeddingRange[] = [
  { cidr: parseCidr('::ffff:0:0/96'), label: 'an IPv4-mapped IPv6 address', shift: 0n },
  { cidr: parseCidr('64:ff9b::/96'), label: 'a NAT64 address (64:ff9b::/96)', shift: 0n },
  { cidr: parseCidr('2002::/16'), label: 'a 6to4 address (2002::/16)', shift: 80n },
];

/** Everything routable on the IPv6 internet is in 2000::/3; outside it, refuse by default. */
const V6_GLOBAL_UNICAST = parseCidr('2000::/3');

interface Classification {
  readonly category: RangeCategory;
  readonly range: string;
  readonly label: string;
  readonly ref?: string;
  /** Set when the verdict came from an IPv4 address carried inside an IPv6 one. */
  readonly via?: { readonly label: string; readonly v4: string };
}

function longestMatch(ranges: readonly SpecialRange[], address: ParsedAddress): SpecialRange | undefined {
  let best: SpecialRange | undefined;
  for (const candidate of ranges) {
    if (contains(candidate.cidr, address) && (!best || candidate.cidr.prefix > best.cidr.prefix)) best = candidate;
  }
  return best;
}

/** The IPv4 address an IPv6 address delivers to, if it is one of the embedding forms. */
function embeddedV4(address: ParsedAddress): { label: string; v4: ParsedAddress } | null {
  if (address.version !== 6) return null;
  for (const form of V6_EMBEDDINGS) {
    if (contains(form.cidr, address)) {
      return { label: form.label, v4: { version: 4, value: (address.value >> form.shift) & 0xffffffffn } };
    }
  }
  return null;
}

function classification(match: SpecialRange): Classification {
  return { category: match.category, range: match.within ?? match.cidr.text, label: match.label, ...(match.ref ? { ref: match.ref } : {}) };
}

function classify(address: ParsedAddress): Classification | null {
  if (address.version === 4) {
    const match = longestMatch(V4_RANGES, address);
    return match ? classification(match) : null;
  }
  const embedded = embeddedV4(address);
  if (embedded) {
    const inner = classify(embedded.v4);
    return inner ? { ...inner, via: { label: embedded.label, v4: formatV4(embedded.v4.value) } } : null;
  }
  const match = longestMatch(V6_RANGES, address);
  if (match) return classification(match);
  if (!contains(V6_GLOBAL_UNICAST, address)) {
    return { category: 'reserved', range: 'outside 2000::/3', label: 'not IPv6 global unicast' };
  }
  return null;
}

function allowedBy(policy: AddressPolicy, address: ParsedAddress): Cidr | undefined {
  const embedded = embeddedV4(address);
  // An allowlisted IPv4 range also covers its IPv6 spellings: the destination is the same host.
  return policy.allow.find((cidr) => contains(cidr, address) || (embedded !== null && contains(cidr, embedded.v4)));
}

/** Refuse everything special-purpose: what AWS runs with unless STEWARD_OUTBOUND_ALLOW says otherwise. */
export const STRICT_POLICY: AddressPolicy = Object.freeze({ allow: Object.freeze([]) });

/** What the `loopback` shorthand stands for. */
export const LOOPBACK_CIDRS: readonly Cidr[] = Object.freeze([parseCidr('127.0.0.0/8'), parseCidr('::1/128')]);

/** The local runtime's default: special-purpose ranges refused, except loopback. */
export const LOOPBACK_POLICY: AddressPolicy = Object.freeze({ allow: LOOPBACK_CIDRS });

/**
 * Parses an allowlist such as `STEWARD_OUTBOUND_ALLOW`: entries separated by commas or
 * whitespace, each a CIDR, a bare address, `loopback` (127.0.0.0/8 and ::1), or `none` (nothing;
 * lets an operator spell "strict" explicitly where an empty variable is awkward). Throws on the
 * first bad entry, naming it, so a typo fails loudly at start-up instead of silently refusing.
 */
export function parseAllowList(text: string): AddressPolicy {
  const entries = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const allow: Cidr[] = [];
  for (const entry of entries) {
    const word = entry.toLowerCase();
    if (word === 'none') continue;
    if (word === 'loopback') allow.push(...LOOPBACK_CIDRS);
    else allow.push(parseCidr(entry));
  }
  return Object.freeze({ allow: Object.freeze(allow) });
}

/** Whether `address` (an IP, not a name) may be contacted under `policy`. */
export function checkAddress(address: string, policy: AddressPolicy = STRICT_POLICY): AddressVerdict {
  const parsed = parseAddress(address);
  if (!parsed) {
    return { allowed: false, address, category: 'invalid', range: 'none', reason: `"${address}" is not an IP address` };
  }
  const found = classify(parsed);
  if (!found) return { allowed: true, address };
  const allow = allowedBy(policy, parsed);
  if (allow) return { allowed: true, address, allowedBy: allow.text };
  // e.g. "10.0.0.1 is private (10.0.0.0/8, RFC 1918)", or for a carried IPv4 address
  // "::ffff:a00:1 is an IPv4-mapped IPv6 address of 10.0.0.1, which is private (10.0.0.0/8, RFC 1918)".
  const where = `(${found.range}${found.ref ? `, ${found.ref}` : ''})`;
  const reason = found.via
    ? `${address} is ${found.via.label} of ${found.via.v4}, which is ${found.label} ${where}`
    : `${address} is ${found.label} ${where}`;
  return { allowed: false, address, category: found.category, range: found.range, reason };
}

/** Words for the start-up banner and logs, e.g. "public addresses, and 127.0.0.0/8, ::1/128". */
export function describePolicy(policy: AddressPolicy): string {
  if (policy.allow.length === 0) return 'public addresses only';
  return `public addresses, and ${policy.allow.map((cidr) => cidr.text).join(', ')}`;
}
