import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureDocumentStore, MemoryDocumentStore, S3DocumentStore } from '../../functions/api-contracts/document-store.ts';
import { generateLargeDocument } from '../../functions/api-contracts/diff/generate.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §1 on AWS: documents may be up to 10 MB, but a Lambda request carries at most 6 MB.
 * Such a document goes straight to the document store: POST .../openapi/uploads answers a URL
 * signed for its size and type (S3 presigned on AWS; the local server here), the client PUTs the
 * bytes there, and POST .../complete validates and stores them as PUT .../openapi would. End to
 * end against the local runtime, then the S3 adapter with a mocked client and its exact commands.
 */

const SERVICE = 'big-api';
const big = Buffer.from(JSON.stringify(generateLargeDocument({ seed: 11, paths: 1800 })));
const small = (title: string) => Buffer.from(JSON.stringify({ openapi: '3.1.0', info: { title, version: '1' }, paths: {} }));

let runtime: Runtime;
let client: ApiClient;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    expect((await client.post(`/v1/services/${SERVICE}/versions`, { version })).status).toBe(201);
  }
  expect((await client.post(`/v1/services/${SERVICE}/versions/2.0.0/release`)).status).toBe(200);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

async function createUpload(version: string, body: Record<string, unknown>) {
  return client.post(`/v1/services/${SERVICE}/versions/${version}/openapi/uploads`, body);
}

function put(url: string, bytes: Uint8Array, headers: Record<string, string>) {
  return fetch(url, { method: 'PUT', body: bytes, headers });
}

describe('direct uploads in the local runtime', () => {
  it('a document over 6 MB: upload URL, PUT, complete; stored and served as a PUT of it would be', { timeout: 120_000 }, async () => {
    expect(big.byteLength).toBeGreaterThan(6 * 1024 * 1024);
    expect(big.byteLength).toBeLessThan(10 * 1024 * 1024);
    const created = await createUpload('1.0.0', { mediaType: 'application/json', size: big.byteLength });
    expect(created.status, created.text).toBe(201);
    const upload = created.json;
    expect(upload).toMatchObject({
      service: SERVICE,
      version: '1.0.0',
      mediaType: 'application/json',
      size: big.byteLength,
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': String(big.byteLength) },
      completeUrl: `/v1/services/${SERVICE}/versions/1.0.0/openapi/uploads/${upload.id}/complete`,
    });
    expect(upload.uploadUrl.startsWith(`${runtime.url}/local/uploads/uploads/${SERVICE}/${upload.id}.json?`)).toBe(true);
    const expiresIn = Date.parse(upload.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(200_000);
    expect(expiresIn).toBeLessThanOrEqual(300_000);

    // Nothing uploaded yet.
    const early = await client.post(upload.completeUrl);
    expect(early.status).toBe(409);
    expect(early.json.detail).toContain('PUT the document');

    // The URL takes exactly what it was signed for.
    const longer = Buffer.concat([big, Buffer.from(' ')]);
    expect((await put(upload.uploadUrl, longer, { 'content-type': 'application/json' })).status).toBe(403);
    expect((await put(upload.uploadUrl, big, { 'content-type': 'application/yaml' })).status).toBe(403);
    const tampered = upload.uploadUrl.replace(/size=\d+/, `size=${longer.byteLength}`);
    expect((await put(tampered, longer, { 'content-type': 'application/json' })).status).toBe(403);
    const uploaded = await put(upload.uploadUrl, big, upload.headers);
    expect(uploaded.status, await uploaded.text()).toBe(200);

    const completed = await client.post(upload.completeUrl);
    expect(completed.status, completed.text).toBe(201);
    expect(completed.json).toMatchObject({ service: SERVICE, version: '1.0.0', mediaType: 'application/json', size: big.byteLength });
    expect(completed.json.operationCount).toBeGreaterThan(1000);
    expect(completed.headers.get('etag')).toBe(`"${completed.json.digest}"`);
    const stored = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/openapi`);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('etag')).toBe(`"${completed.json.digest}"`);
    expect(stored.text.length).toBeGreaterThan(6 * 1024 * 1024);

    // Completing it again changes nothing; an audit record says who stored it.
    const again = await client.post(upload.completeUrl);
    expect(again.status).toBe(200);
    expect(again.json.digest).toBe(completed.json.digest);
    const audit = await client.get(`/v1/audit?service=${SERVICE}&type=apicontract.uploaded`);
    expect(audit.json.items).toHaveLength(1);
  });

  it('what is uploaded is validated as a PUT would be: a Swagger 2.0 document is a 400, If-Match is honoured', async () => {
    const swagger = Buffer.from(JSON.stringify({ swagger: '2.0', info: { title: 'old', version: '1' }, paths: {} }));
    const created = await createUpload('1.1.0', { mediaType: 'application/json', size: swagger.byteLength });
    expect((await put(created.json.uploadUrl, swagger, created.json.headers)).status).toBe(200);
    const refused = await client.post(created.json.completeUrl);
    expect(refused.status).toBe(400);
    expect(refused.json.detail).toMatch(/2\.0|Swagger/i);

    const first = small('first');
    const one = await createUpload('1.1.0', { mediaType: 'application/json', size: first.byteLength });
    await put(one.json.uploadUrl, first, one.json.headers);
    expect((await client.post(one.json.completeUrl)).status).toBe(201);
    const second = small('second');
    const two = await createUpload('1.1.0', { mediaType: 'application/json', size: second.byteLength });
    await put(two.json.uploadUrl, second, two.json.headers);
    const stale = await client.request('POST', two.json.completeUrl, undefined, { headers: { 'if-match': '"sha256:0000"' } });
    expect(stale.status).toBe(412);
  });

  it('bad requests: over 10 MB, another type, a released version, an unknown or another version’s upload', async () => {
    expect((await createUpload('1.1.0', { mediaType: 'application/json', size: 10 * 1024 * 1024 + 1 })).status).toBe(400);
    expect((await createUpload('1.1.0', { mediaType: 'text/plain', size: 10 })).status).toBe(400);
    expect((await createUpload('1.1.0', { size: 10 })).status).toBe(400);
    const frozen = await createUpload('2.0.0', { mediaType: 'application/json', size: 10 });
    expect(frozen.status).toBe(409);
    expect((await createUpload('9.9.9', { mediaType: 'application/json', size: 10 })).status).toBe(404);
    const unknown = await client.post(`/v1/services/${SERVICE}/versions/1.1.0/openapi/uploads/01JAAAAAAAAAAAAAAAAAAAAAAA/complete`);
    expect(unknown.status).toBe(404);
    expect((await client.post(`/v1/services/${SERVICE}/versions/1.1.0/openapi/uploads/not-an-id/complete`)).status).toBe(400);
    const elsewhere = await createUpload('1.1.0', { mediaType: 'application/json', size: 10 });
    const wrongVersion = await client.post(`/v1/services/${SERVICE}/versions/1.0.0/openapi/uploads/${elsewhere.json.id}/complete`);
    expect(wrongVersion.status).toBe(404);
    expect((await fetch(elsewhere.json.uploadUrl)).status).toBe(405);
  });
});

describe('direct uploads through the S3 adapter (mocked client, exact commands)', () => {
  const BUCKET = 'steward-contracts-bucket';
  const s3 = mockClient(S3Client);
  const s3Client = () =>
    new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE', secretAccessKey: 'example-secret' } });
  // What the S3 adapter reads of a GetObject answer's body stream.
  const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => Uint8Array.from(bytes) }) as never;

  beforeEach(() => {
    s3.reset();
    configureDocumentStore(new S3DocumentStore(BUCKET, s3Client()));
  });

  afterAll(() => {
    s3.restore();
    configureDocumentStore(new MemoryDocumentStore());
  });

  it('presigns a PUT for the upload key: 5 minutes, length and type signed, no checksum, and sends nothing', async () => {
    const store = new S3DocumentStore(BUCKET, s3Client());
    const url = new URL(
      await store.presignPut('uploads/big-api/01JAAAAAAAAAAAAAAAAAAAAAAA.json', {
        contentType: 'application/json',
        size: 7_000_000,
        expiresInSeconds: 300,
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(
      `https://${BUCKET}.s3.eu-west-1.amazonaws.com/uploads/big-api/01JAAAAAAAAAAAAAAAAAAAAAAA.json`,
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAEXAMPLEEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('create answers the presigned URL; complete reads the upload from S3 and writes the document under its digest', async () => {
    const document = small('from S3');
    const created = await createUpload('1.1.0', { mediaType: 'application/json', size: document.byteLength });
    expect(created.status, created.text).toBe(201);
    const uploadUrl = new URL(created.json.uploadUrl);
    const key = `uploads/${SERVICE}/${created.json.id}.json`;
    expect(`${uploadUrl.origin}${uploadUrl.pathname}`).toBe(`https://${BUCKET}.s3.eu-west-1.amazonaws.com/${key}`);
    expect(s3.calls()).toHaveLength(0);

    // Before the client's PUT: S3 has nothing under the key.
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key }).rejectsOnce(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    expect((await client.post(created.json.completeUrl)).status).toBe(409);

    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key }).resolves({ Body: body(document), ContentType: 'application/json' });
    s3.on(PutObjectCommand).resolves({});
    const completed = await client.post(created.json.completeUrl);
    expect(completed.status, completed.text).toBe(200);
    const digest = (completed.json.digest as string).replace('sha256:', '');
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key },
      { Bucket: BUCKET, Key: key },
    ]);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: `openapi/${SERVICE}/${digest}.json`,
      ContentType: 'application/json',
      Body: document,
    });
  });
});
