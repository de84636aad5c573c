import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  describePolicy,
  LOOPBACK_POLICY,
  parseAddress,
  parseAllowList,
  parseCidr,
  type RangeCategory,
  STRICT_POLICY,
} from '../../../functions/kernel/outbound/address-policy.ts';

type Refusal = [address: string, category: RangeCategory, range: string];

function refused(address: string, policy = STRICT_POLICY) {
  const verdict = checkAddress(address, policy);
  if (verdict.allowed) throw new Error(`${address} was allowed`);
  return verdict;
}

describe('checkAddress refuses every special-purpose IPv4 range', () => {
  it.each<Refusal>([
    ['0.0.0.0', 'unspecified', '0.0.0.0/32'],
    ['0.1.2.3', 'reserved', '0.0.0.0/8'],
    ['0.255.255.255', 'reserved', '0.0.0.0/8'],
    ['10.0.0.0', 'private', '10.0.0.0/8'],
    ['10.0.0.1', 'private', '10.0.0.0/8'],
    ['10.255.255.255', 'private', '10.0.0.0/8'],
    ['100.64.0.0', 'shared', '100.64.0.0/10'],
    ['100.127.255.255', 'shared', '100.64.0.0/10'],
    ['127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['127.255.255.254', 'loopback', '127.0.0.0/8'],
    ['169.254.0.1', 'link-local', '169.254.0.0/16'],
    ['169.254.169.254', 'link-local', '169.254.0.0/16'],
    ['169.254.170.2', 'link-local', '169.254.0.0/16'], // the ECS task metadata endpoint
    ['172.16.0.1', 'private', '172.16.0.0/12'],
    ['172.31.255.255', 'private', '172.16.0.0/12'],
    ['192.0.0.8', 'reserved', '192.0.0.0/24'],
    ['192.0.2.1', 'documentation', '192.0.2.0/24'],
    ['192.88.99.1', 'reserved', '192.88.99.0/24'],
    ['192.168.0.1', 'private', '192.168.0.0/16'],
    ['192.168.255.255', 'private', '192.168.0.0/16'],
    ['198.18.0.1', 'reserved', '198.18.0.0/15'],
    ['198.19.255.255', 'reserved', '198.18.0.0/15'],
    ['198.51.100.7', 'documentation', '198.51.100.0/24'],
    ['203.0.113.9', 'documentation', '203.0.113.0/24'],
    ['224.0.0.1', 'multicast', '224.0.0.0/4'],
    ['239.255.255.250', 'multicast', '224.0.0.0/4'],
    ['240.0.0.1', 'reserved', '240.0.0.0/4'],
    ['255.255.255.254', 'reserved', '240.0.0.0/4'],
    ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
  ])('%s is %s (%s)', (address, category, range) => {
    const verdict = refused(address);
    expect(verdict).toMatchObject({ category, range });
    expect(verdict.reason).toContain(address);
    expect(verdict.reason).toContain(range);
  });

  it('names the metadata endpoint for what it is', () => {
    expect(refused('169.254.169.254').reason).toBe('169.254.169.254 is link-local, the cloud instance metadata endpoint (169.254.0.0/16)');
  });

  it('says which RFC a private range comes from', () => {
    expect(refused('10.0.0.1').reason).toBe('10.0.0.1 is private (10.0.0.0/8, RFC 1918)');
  });
});

describe('checkAddress allows public IPv4 addresses, including the neighbours of every refused range', () => {
  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above 10/8
    '100.63.255.255', // just below 100.64/10
    '100.128.0.0', // just above it
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '192.0.3.0',
    '192.31.196.1', // AS112, globally reachable per IANA
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '203.0.112.255',
    '223.255.255.255', // last unicast before multicast
  ])('%s', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true, address });
  });
});

describe('checkAddress on IPv6', () => {
  it.each<Refusal>([
    ['::', 'unspecified', '::/128'],
    ['::1', 'loopback', '::1/128'],
    ['0:0:0:0:0:0:0:1', 'loopback', '::1/128'],
    ['::2', 'reserved', '::/96'],
    ['::1.2.3.4', 'reserved', '::/96'], // deprecated IPv4-compatible form
    ['::ffff:0:1.2.3.4', 'reserved', '::ffff:0:0:0/96'],
    ['64:ff9b:1::1', 'reserved', '64:ff9b:1::/48'],
    ['100::1', 'reserved', '100::/64'],
    ['2001::1', 'reserved', '2001::/32'], // Teredo
    ['2001:2::1', 'reserved', '2001::/23'],
    ['2001:db8::1', 'documentation', '2001:db8::/32'],
    ['3fff::1', 'documentation', '3fff::/20'],
    ['fc00::1', 'private', 'fc00::/7'],
    ['fd12:3456:789a::1', 'private', 'fc00::/7'],
    ['fd00:ec2::254', 'private', 'fc00::/7'], // AWS IMDS over IPv6
    ['fe80::1', 'link-local', 'fe80::/10'],
    ['febf:ffff::1', 'link-local', 'fe80::/10'],
    ['fe80::1%eth0', 'link-local', 'fe80::/10'],
    ['fec0::1', 'reserved', 'fec0::/10'],
    ['ff02::1', 'multicast', 'ff00::/8'],
    ['ff05::1:3', 'multicast', 'ff00::/8'],
    ['1::', 'reserved', 'outside 2000::/3'],
    ['4000::1', 'reserved', 'outside 2000::/3'],
    ['5f00::1', 'reserved', 'outside 2000::/3'], // SRv6 SIDs
    ['e000::1', 'reserved', 'outside 2000::/3'],
  ])('refuses %s as %s (%s)', (address, category, range) => {
    expect(refused(address)).toMatchObject({ category, range });
  });

  it.each(['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '2001:4860:4860::8888', '2001:200::1', '3ffe::1'])(
    'allows public %s',
    (address) => {
      expect(checkAddress(address).allowed).toBe(true);
    },
  );

  it('names the AWS IPv6 metadata endpoint', () => {
    expect(refused('fd00:ec2::254').reason).toContain('AWS instance metadata endpoint');
  });
});

describe('IPv6 forms of IPv4 addresses are judged by the IPv4 address they reach', () => {
  it.each<Refusal>([
    ['::ffff:10.0.0.1', 'private', '10.0.0.0/8'],
    ['::ffff:a00:1', 'private', '10.0.0.0/8'], // the same, as the URL parser writes it
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.0/8'],
    ['::ffff:169.254.169.254', 'link-local', '169.254.0.0/16'],
    ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0/32'],
    ['::ffff:192.168.1.1', 'private', '192.168.0.0/16'],
    ['::ffff:100.64.0.1', 'shared', '100.64.0.0/10'],
    ['::ffff:255.255.255.255', 'broadcast', '255.255.255.255/32'],
    ['64:ff9b::10.0.0.1', 'private', '10.0.0.0/8'],
    ['64:ff9b::a00:1', 'private', '10.0.0.0/8'],
    ['64:ff9b::7f00:1', 'loopback', '127.0.0.0/8'],
    ['64:ff9b::a9fe:a9fe', 'link-local', '169.254.0.0/16'],
    ['2002:a00:1::', 'private', '10.0.0.0/8'], // 6to4
    ['2002:7f00:1::1', 'loopback', '127.0.0.0/8'],
    ['2002:a9fe:a9fe::1', 'link-local', '169.254.0.0/16'],
  ])('refuses %s as %s (%s)', (address, category, range) => {
    expect(refused(address)).toMatchObject({ category, range });
  });

  it('explains the embedding', () => {
    expect(refused('::ffff:a00:1').reason).toBe(
      '::ffff:a00:1 is an IPv4-mapped IPv6 address of 10.0.0.1, which is private (10.0.0.0/8, RFC 1918)',
    );
    expect(refused('64:ff9b::a9fe:a9fe').reason).toContain('NAT64 address (64:ff9b::/96) of 169.254.169.254');
  });

  it.each(['::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '64:ff9b::101:101', '2002:808:808::1'])(
    'allows %s, whose IPv4 address is public (DNS64 on AWS hands these out)',
    (address) => {
      expect(checkAddress(address).allowed).toBe(true);
    },
  );
});

describe('checkAddress input handling', () => {
  it.each([
    '',
    'localhost',
    'evil.example',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '010.0.0.1',
    '1.2.3.4.5',
    '256.0.0.1',
    ':::1',
    'fe80::1::2',
  ])('refuses %j: not a canonical IP address (names and odd spellings are resolved or normalised before this)', (text) => {
    expect(refused(text)).toMatchObject({ category: 'invalid' });
  });

  it('accepts a bracketed IPv6 literal as written in a URL', () => {
    expect(refused('[::1]')).toMatchObject({ category: 'loopback' });
  });

  it('parses the forms it accepts to the same number', () => {
    expect(parseAddress('::ffff:10.0.0.1')).toEqual(parseAddress('::ffff:a00:1'));
    expect(parseAddress('0:0:0:0:0:0:0:1')).toEqual(parseAddress('::1'));
    expect(parseAddress('2001:db8::')?.value).toBe(0x20010db8n << 96n);
    expect(parseAddress('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseAddress('255.255.255.255')).toEqual({ version: 4, value: 0xffffffffn });
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, 8],
    ['192.168.1.0/24', 4, 24],
    ['0.0.0.0/0', 4, 0],
    ['10.1.2.3', 4, 32],
    ['fd00::/8', 6, 8],
    ['::/0', 6, 0],
    ['::1', 6, 128],
  ] as const)('%s', (text, version, prefix) => {
    expect(parseCidr(text)).toMatchObject({ text, version, prefix });
  });

  it.each([
    ['10.0.0.1/8', /host bits/],
    ['10.0.0.0/33', /prefix length/],
    ['fd00::/129', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8x', /prefix length/],
    ['localhost', /not an IP address/],
    ['[::1]', /not an IP address/],
    ['fe80::1%eth0/64', /not an IP address/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
  });
});

describe('the allowlist overrides a refusal', () => {
  it('loopback allows 127.0.0.0/8 and ::1, and their IPv4-mapped and NAT64 spellings', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '64:ff9b::7f00:1']) {
      expect(checkAddress(address, LOOPBACK_POLICY)).toMatchObject({ allowed: true, address });
    }
    expect(checkAddress('127.0.0.1', LOOPBACK_POLICY)).toEqual({ allowed: true, address: '127.0.0.1', allowedBy: '127.0.0.0/8' });
  });

  it('loopback allows nothing else', () => {
    for (const address of ['10.0.0.1', '169.254.169.254', '0.0.0.0', '::', 'fe80::1', '::ffff:10.0.0.1', '192.168.1.1']) {
      expect(checkAddress(address, LOOPBACK_POLICY).allowed).toBe(false);
    }
  });

  it('a CIDR allows exactly its range', () => {
    const policy = parseAllowList('10.1.0.0/16');
    expect(checkAddress('10.1.2.3', policy)).toMatchObject({ allowed: true, allowedBy: '10.1.0.0/16' });
    expect(checkAddress('::ffff:10.1.2.3', policy)).toMatchObject({ allowed: true, allowedBy: '10.1.0.0/16' });
    expect(checkAddress('10.2.0.1', policy).allowed).toBe(false);
    expect(checkAddress('127.0.0.1', policy).allowed).toBe(false);
  });

  it('an IPv6 CIDR allows IPv6 addresses only', () => {
    const policy = parseAllowList('fd00:1::/32');
    expect(checkAddress('fd00:1::5', policy).allowed).toBe(true);
    expect(checkAddress('fd00:2::5', policy).allowed).toBe(false);
    expect(checkAddress('10.0.0.1', policy).allowed).toBe(false);
  });

  it('a bare address allows that address alone', () => {
    const policy = parseAllowList('169.254.170.2');
    expect(checkAddress('169.254.170.2', policy).allowed).toBe(true);
    expect(checkAddress('169.254.169.254', policy).allowed).toBe(false);
  });

  it('public addresses need no allowlist and are not attributed to one', () => {
    expect(checkAddress('8.8.8.8', parseAllowList('0.0.0.0/0'))).toEqual({ allowed: true, address: '8.8.8.8' });
  });
});

describe('parseAllowList', () => {
  it('reads commas and whitespace, loopback and none, case-insensitively', () => {
    const policy = parseAllowList(' LOOPBACK , 10.0.0.0/8  fd00::/8,,');
    expect(policy.allow.map((cidr) => cidr.text)).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8', 'fd00::/8']);
    expect(parseAllowList('none').allow).toEqual([]);
    expect(parseAllowList('').allow).toEqual([]);
  });

  it('throws on a bad entry, naming it', () => {
    expect(() => parseAllowList('loopback, 10.0.0.0/88')).toThrow(/"10\.0\.0\.0\/88"/);
    expect(() => parseAllowList('localhost')).toThrow(/"localhost" is not an IP address/);
  });

  it('is frozen, so a shared policy cannot be widened by whoever holds it', () => {
    const policy = parseAllowList('loopback');
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.allow)).toBe(true);
  });
});

describe('describePolicy', () => {
  it('says what is reachable', () => {
    expect(describePolicy(STRICT_POLICY)).toBe('public addresses only');
    expect(describePolicy(LOOPBACK_POLICY)).toBe('public addresses, and 127.0.0.0/8, ::1/128');
  });
});

describe('properties over all IPv4 addresses', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.'));
  /** 10.0.0.1 → ['a00', '1']: the two hex groups the URL parser would write. */
  const hex = (text: string): [string, string] => {
    const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number);
    return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };

  it('the IPv4-mapped, NAT64 and 6to4 forms get the verdict of the IPv4 address they carry', () => {
    fc.assert(
      fc.property(v4, (address) => {
        const [high, low] = hex(address);
        const plain = checkAddress(address);
        for (const form of [`::ffff:${address}`, `::ffff:${high}:${low}`, `64:ff9b::${high}:${low}`, `2002:${high}:${low}::1`]) {
          const verdict = checkAddress(form);
          expect(verdict.allowed).toBe(plain.allowed);
          if (!verdict.allowed && !plain.allowed) expect(verdict.range).toBe(plain.range);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('allowing 0.0.0.0/0 allows every IPv4 address, and the loopback shorthand only 127/8', () => {
    const everything = parseAllowList('0.0.0.0/0');
    fc.assert(
      fc.property(v4, (address) => {
        expect(checkAddress(address, everything).allowed).toBe(true);
        const viaLoopback = checkAddress(address, LOOPBACK_POLICY);
        if (address.startsWith('127.')) expect(viaLoopback.allowed).toBe(true);
        else expect(viaLoopback.allowed).toBe(checkAddress(address).allowed);
      }),
      { numRuns: 2000 },
    );
  });
});
