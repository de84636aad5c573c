import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where OpenAPI documents (up to 10 MB: too large for a DynamoDB item) and frozen compatibility
 * reports are kept. The table holds their digest and size; the bytes live here, under keys that
 * name their content (`openapi/<service>/<sha256>.<json|yaml>`), so a key is written once and
 * never changes: a lost race writes the same bytes again. Documents uploaded directly (too large
 * for a Lambda request) arrive under `uploads/` first. On AWS an S3 bucket (CONTRACTS_BUCKET,
 * KMS-encrypted, versioned, TLS only: lib/constructs/contract-documents.ts); locally a folder under
 * the data dir, or memory for tests and `--memory`.
 */
export interface DocumentStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * A URL a client PUTs `size` bytes of `contentType` to, under `key`, for `expiresInSeconds`:
   * on AWS a presigned S3 URL (the size and type signed, so S3 refuses any other); locally a URL
   * of the local server, signed the same way (`checkLocalUpload`). Documents too large for a
   * Lambda request body (6 MB) reach the store this way.
   */
  presignPut(key: string, upload: PresignedUpload): Promise<string>;
}

export interface PresignedUpload {
  contentType: string;
  size: number;
  expiresInSeconds: number;
}

/** Where direct uploads land (issue 11 §1): the bucket's lifecycle rule deletes them after a day. */
export const UPLOADS_PREFIX = 'uploads/';

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._:-]*)*$/i;

function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.includes('..')) throw new Error(`not a document key: ${JSON.stringify(key)}`);
}

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = new S3Client({}),
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    checkKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async presignPut(key: string, upload: PresignedUpload): Promise<string> {
    checkKey(key);
    // Loaded only by the function that presigns.
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    // Length and type are signed headers: S3 refuses a PUT of any other size or type. No default
    // checksum: the SDK would sign the CRC32 of an empty body into the URL, and every upload would fail.
    return getSignedUrl(
      this.presigner(),
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: upload.contentType, ContentLength: upload.size }),
      { expiresIn: upload.expiresInSeconds, signableHeaders: new Set(['content-length', 'content-type']) },
    );
  }

  private presigningClient?: S3Client;

  private presigner(): S3Client {
    this.presigningClient ??= new S3Client({
      region: this.client.config.region,
      credentials: this.client.config.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    return this.presigningClient;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

/**
 * Direct uploads in the local runtime: the URL is the local server's (`PUT /local/uploads/<key>`),
 * with an expiry, the size and the type signed by a key made at start, as S3 signs its own.
 */
let localUploads: { baseUrl: string; secret: Buffer } | undefined;

/** The local runtime, once it listens: where the uploads go. */
export function configureLocalUploads(baseUrl: string | null): void {
  localUploads = baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, ''), secret: randomBytes(32) } : undefined;
}

export const LOCAL_UPLOADS_PATH = '/local/uploads/';

function localSignature(key: string, contentType: string, size: number, expires: number, secret: Buffer): string {
  return createHmac('sha256', secret).update(`${key}\n${contentType}\n${size}\n${expires}`).digest('hex');
}

function presignLocal(key: string, upload: PresignedUpload): string {
  checkKey(key);
  if (!localUploads) throw new Error('direct uploads need the local server: configureLocalUploads was not called');
  const expires = Math.floor(Date.now() / 1000) + upload.expiresInSeconds;
  const query = new URLSearchParams({
    expires: String(expires),
    size: String(upload.size),
    type: upload.contentType,
    signature: localSignature(key, upload.contentType, upload.size, expires, localUploads.secret),
  });
  return `${localUploads.baseUrl}${LOCAL_UPLOADS_PATH}${key}?${query}`;
}

/**
 * The local server's check of a PUT to a presigned URL, as S3 checks its own: the signature, the
 * expiry, and the body's type and length as signed. The key to store under, or why not (S3 answers 403).
 */
export function checkLocalUpload(
  path: string,
  query: URLSearchParams,
  contentType: string | undefined,
  body: Uint8Array,
): { key: string } | { refused: string } {
  if (!localUploads) return { refused: 'Direct uploads are not enabled.' };
  const key = decodeURIComponent(path.slice(LOCAL_UPLOADS_PATH.length));
  const expires = Number(query.get('expires'));
  const size = Number(query.get('size'));
  const type = query.get('type') ?? '';
  const given = Buffer.from(query.get('signature') ?? '', 'hex');
  const expected = Buffer.from(localSignature(key, type, size, expires, localUploads.secret), 'hex');
  if (!KEY_PATTERN.test(key) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { refused: 'The request signature does not match.' };
  }
  if (Date.now() / 1000 > expires) return { refused: 'Request has expired.' };
  if ((contentType ?? '').split(';')[0]?.trim().toLowerCase() !== type) return { refused: `Content-Type must be ${type}, as signed.` };
  if (body.byteLength !== size) return { refused: `The body must be ${size} bytes, as signed; it is ${body.byteLength}.` };
  return { key };
}

/** Files under a folder: a document is written to a temporary name and renamed, so a reader never sees half of it. */
export class FolderDocumentStore implements DocumentStore {
  private readonly root: string;

  constructor(folder: string) {
    this.root = resolve(folder);
  }

  private pathOf(key: string): string {
    checkKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(`${this.root}${sep}`)) throw new Error(`not a document key: ${JSON.stringify(key)}`);
    return path;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temporary, body);
    renameSync(temporary, path);
  }

  async presignPut(key: string, upload: PresignedUpload): Promise<string> {
    return presignLocal(key, upload);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return readFileSync(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

export class MemoryDocumentStore implements DocumentStore {
  readonly documents = new Map<string, Uint8Array>();

  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key);
    this.documents.set(key, Uint8Array.from(body));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.documents.get(key);
  }

  async presignPut(key: string, upload: PresignedUpload): Promise<string> {
    return presignLocal(key, upload);
  }
}

let store: DocumentStore | undefined;

/** The local runtime and tests install a folder or memory store; on AWS the bucket is read from CONTRACTS_BUCKET. */
export function configureDocumentStore(next: DocumentStore | null): void {
  store = next ?? undefined;
}

export function documentStore(): DocumentStore {
  if (!store) {
    const bucket = process.env.CONTRACTS_BUCKET;
    if (!bucket) throw new Error('CONTRACTS_BUCKET is not set');
    store = new S3DocumentStore(bucket);
  }
  return store;
}

/** A folder store under the local runtime's data dir. */
export function localDocumentStore(dataDir: string): FolderDocumentStore {
  return new FolderDocumentStore(join(dataDir, 'contracts'));
}
