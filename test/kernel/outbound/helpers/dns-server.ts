import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, A and AAAA only) so the resolution path is
 * exercised with real DNS packets through Node's resolver, not a stub: `evil.example` can be made
 * to answer 10.0.0.1 without touching the machine's DNS. Unknown names get NXDOMAIN.
 */

export interface TestDnsServer {
  /** A resolver that asks only this server. */
  resolver: Resolver;
  /** Sets the addresses a name answers (both families in one list); [] means "exists, no records". */
  set(name: string, addresses: string[]): void;
  /** Queries seen, e.g. "A evil.example". */
  queries: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

export async function startDnsServer(records: Record<string, string[]> = {}): Promise<TestDnsServer> {
  const zone = new Map(Object.entries(records).map(([name, addresses]) => [name.toLowerCase(), addresses]));
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const reply = answer(message, zone, queries);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return {
    resolver,
    queries,
    set: (name, addresses) => zone.set(name.toLowerCase(), addresses),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(message: Buffer, zone: Map<string, string[]>, queries: string[]): Buffer | null {
  if (message.length < 12) return null;
  const id = message.readUInt16BE(0);
  // Question: labels, then QTYPE and QCLASS.
  let offset = 12;
  const labels: string[] = [];
  for (;;) {
    const length = message[offset];
    if (length === undefined) return null;
    offset += 1;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString('ascii'));
    offset += length;
  }
  const qtype = message.readUInt16BE(offset);
  const question = message.subarray(12, offset + 4);
  const name = labels.join('.').toLowerCase();
  queries.push(`${qtype === TYPE_A ? 'A' : qtype === TYPE_AAAA ? 'AAAA' : qtype} ${name}`);
  const addresses = zone.get(name);
  const wanted = (addresses ?? []).filter((address) => isIP(address) === (qtype === TYPE_AAAA ? 6 : qtype === TYPE_A ? 4 : -1));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 3 (NXDOMAIN) for names not in the zone.
  const rd = (message[2] ?? 0) & 0x01;
  header[2] = 0x84 | rd;
  header[3] = 0x80 | (addresses === undefined ? 3 : 0);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(wanted.length, 6);
  const records = wanted.map((address) => {
    const data = isIP(address) === 4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
    record.writeUInt16BE(qtype, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(5, 6); // TTL, short like a rebinding attacker's
    record.writeUInt16BE(data.length, 10);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, question, ...records]);
}

function ipv6Bytes(address: string): Buffer {
  if (address.includes('.')) throw new Error(`write IPv6 records in hex groups (::ffff:7f00:1, not ::ffff:127.0.0.1): ${address}`);
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  return bytes;
}
