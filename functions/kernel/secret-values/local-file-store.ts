import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type LocalSecretBackend, type LocalSecretRecord, LocalSecretValueStore } from './local-store.ts';

/**
 * docs/architecture.md §2: locally, secret values are files under a folder, each encrypted with
 * AES-256-GCM under a key made on first start and kept beside the folder (mode 0600). The key
 * sitting next to the data means this guards against plaintext on disk — in backups, greps,
 * a stray `git add` — not against someone who can read the whole data folder.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 1;

interface EncryptedFile {
  format: number;
  /** The secret's path, in clear: it is a name, not a value, and binds the ciphertext (AAD). */
  path: string;
  deletionDate: string | null;
  iv: string;
  tag: string;
  /** The JSON of the record's versions (ids and values), encrypted. */
  ciphertext: string;
}

/** Reads the key, or makes it on first start; only its owner may read it. */
export function loadOrCreateKey(keyFile: string): Buffer {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(keyFile, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600);
  const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`${keyFile} does not hold a 256-bit base64 key; restore it, or remove it together with the secrets folder.`);
  return key;
}

export function encryptedFileBackend(dir: string, key: Buffer): LocalSecretBackend {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Names may be `..`-like or long; a hash is always one safe, short file name.
  const fileOf = (path: string) => join(dir, `${createHash('sha256').update(path).digest('hex')}.json`);
  return {
    read(path) {
      let text: string;
      try {
        text = readFileSync(fileOf(path), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return decrypt(JSON.parse(text) as EncryptedFile, path, key);
    },
    write(path, record) {
      const file = fileOf(path);
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      // Write then rename: a crash leaves the old value or the new one, never half of either.
      writeFileSync(temporary, JSON.stringify(encrypt(record, path, key)), { mode: 0o600 });
      renameSync(temporary, file);
    },
    remove(path) {
      rmSync(fileOf(path), { force: true });
    },
  };
}

function encrypt(record: LocalSecretRecord, path: string, key: Buffer): EncryptedFile {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(path, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(record.versions), 'utf8'), cipher.final()]);
  return {
    format: FORMAT,
    path,
    deletionDate: record.deletionDate,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

function decrypt(file: EncryptedFile, path: string, key: Buffer): LocalSecretRecord {
  if (file.format !== FORMAT || file.path !== path) throw new Error(`The local secret file for ${path} is not one this version wrote.`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
  decipher.setAAD(Buffer.from(path, 'utf8'));
  decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
  let plaintext: string;
  try {
    plaintext = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      `The local secret file for ${path} does not decrypt with the key beside the folder (wrong key, or the file was altered).`,
    );
  }
  return { versions: JSON.parse(plaintext) as LocalSecretRecord['versions'], deletionDate: file.deletionDate };
}

/** The local runtime's store: encrypted files under `dir`, the key in `keyFile` (default: `<dir>.key`). */
export function localFileSecretStore(dir: string, keyFile = `${dir}.key`, now?: () => Date): LocalSecretValueStore {
  return new LocalSecretValueStore(encryptedFileBackend(dir, loadOrCreateKey(keyFile)), now);
}
