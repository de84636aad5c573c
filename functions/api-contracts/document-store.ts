import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where OpenAPI documents (up to 10 MB: too large for a DynamoDB item) and frozen compatibility
 * reports are kept. The table holds their digest and size; the bytes live here, under keys that
 * name their content (`openapi/<service>/<sha256>.<json|yaml>`), so a key is written once and
 * never changes: a lost race writes the same bytes again. On AWS an S3 bucket (CONTRACTS_BUCKET,
 * KMS-encrypted, versioned, TLS only: lib/constructs/contract-documents.ts); locally a folder under
 * the data dir, or memory for tests and `--memory`.
 */
export interface DocumentStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | undefined>;
}

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
