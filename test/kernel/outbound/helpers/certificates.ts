import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * X.509 certificates made at test time with node:crypto alone. Node can make keys and sign but has
 * no certificate builder, so this writes the DER by hand: enough of RFC 5280 for a CA and a
 * server certificate with chosen names and validity (an expired or about-to-expire certificate is
 * then one argument away, which the health-check tests need for [CERTIFICATE_EXPIRATION]).
 */

export interface TestCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
  notAfter: Date;
}

export interface TestPki {
  ca: TestCertificate;
  /** Issues a server certificate for `names` (DNS names or IP addresses), signed by the CA. */
  issue(names: string[], validity?: { notBefore?: Date; notAfter?: Date }): TestCertificate;
}

const DAY = 86_400_000;

/** A CA valid for a day either side of now, and a way to issue server certificates from it. */
export function createTestPki(commonName = 'Steward Test CA'): TestPki {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = name(commonName);
  const now = Date.now();
  const ca = certificate({
    subject: caName,
    issuer: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    extensions: [
      extension('2.5.29.19', true, seq(bool(true))), // basicConstraints: CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)), // keyUsage: keyCertSign, cRLSign
    ],
  });
  return {
    ca: { cert: pem('CERTIFICATE', ca.der), key: pemKey(caKeys.privateKey), notAfter: ca.notAfter },
    issue(names, validity = {}) {
      const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const issued = certificate({
        subject: name(names[0] ?? 'localhost'),
        issuer: caName,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        notBefore: validity.notBefore ?? new Date(now - DAY),
        notAfter: validity.notAfter ?? new Date(now + 10 * DAY),
        extensions: [
          extension('2.5.29.19', true, seq()), // basicConstraints: not a CA
          extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
          extension('2.5.29.17', false, seq(...names.map(generalName))), // subjectAltName
        ],
      });
      return { cert: pem('CERTIFICATE', issued.der), key: pemKey(keys.privateKey), notAfter: issued.notAfter };
    },
  };
}

/** A server certificate that is its own issuer: what a hand-made dev server presents. */
export function createSelfSigned(names: string[]): TestCertificate {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const subject = name(names[0] ?? 'localhost');
  const now = Date.now();
  const made = certificate({
    subject,
    issuer: subject,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 10 * DAY),
    extensions: [extension('2.5.29.17', false, seq(...names.map(generalName)))],
  });
  return { cert: pem('CERTIFICATE', made.der), key: pemKey(keys.privateKey), notAfter: made.notAfter };
}

function certificate(input: {
  subject: Buffer;
  issuer: Buffer;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): { der: Buffer; notAfter: Date } {
  // Whole seconds: X.509 times have no fractions, and the test compares validTo exactly.
  const notAfter = new Date(Math.floor(input.notAfter.getTime() / 1000) * 1000);
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // version 3
    integer(randomBytes(12)),
    ecdsaWithSha256,
    input.issuer,
    seq(time(input.notBefore), time(notAfter)),
    input.subject,
    input.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...input.extensions)),
  );
  const signature = sign('sha256', tbs, input.signingKey); // DER ECDSA-Sig-Value
  return { der: seq(tbs, ecdsaWithSha256, bitString(signature)), notAfter };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function integer(bytes: Buffer): Buffer {
  // Positive: a leading 0x00 when the high bit is set.
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function bool(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function oid(text: string): Buffer {
  const [first = 0, second = 0, ...rest] = text.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  // UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires.
  return year < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), tlv(0x04, value));
}

function generalName(entry: string): Buffer {
  const version = isIP(entry);
  if (version === 4) return tlv(0x87, Buffer.from(entry.split('.').map(Number)));
  if (version === 6) throw new Error('IPv6 SANs are not needed by these tests');
  return tlv(0x82, Buffer.from(entry, 'ascii'));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pemKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
