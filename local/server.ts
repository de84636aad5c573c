import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { allContracts } from '#system/all-contracts';
import { checkLocalUpload, documentStore, LOCAL_UPLOADS_PATH } from '#api-contracts/document-store';
import { handler as authorizer } from '../functions/handlers/authorizer.ts';
import { handler as fallback } from '../functions/handlers/fallback.ts';
import { handler as alerts } from '../functions/handlers/alerts.ts';
import { handler as apiContracts } from '../functions/handlers/api-contracts.ts';
import { handler as compatibilityChecks } from '../functions/handlers/compatibility-checks.ts';
import { handler as migrations } from '../functions/handlers/migrations.ts';
import { handler as openApiUploads } from '../functions/handlers/openapi-uploads.ts';
import { handler as apiKeys } from '../functions/handlers/api-keys.ts';
import { handler as audit } from '../functions/handlers/audit.ts';
import { handler as configTransfer } from '../functions/handlers/config-transfer.ts';
import { handler as configWrites } from '../functions/handlers/config-writes.ts';
import { handler as configs } from '../functions/handlers/configs.ts';
import { handler as deployments } from '../functions/handlers/deployments.ts';
import { handler as healthChecks } from '../functions/handlers/health-checks.ts';
import { handler as metrics } from '../functions/handlers/metrics.ts';
import { handler as models } from '../functions/handlers/models.ts';
import { handler as secrets } from '../functions/handlers/secrets.ts';
import { handler as services } from '../functions/handlers/services.ts';
import { handler as system } from '../functions/handlers/system.ts';
import { handler as versions } from '../functions/handlers/versions.ts';
import type { lambdaHandler } from '#kernel/http/lambda-handler';
import type { RouteGroup } from '#kernel/http/operation';
import { MAX_BODY_BYTES } from '#kernel/http/middleware/parse-json-body';
import { problemResponse } from '#kernel/http/problem';
import { PayloadTooLargeError } from '#kernel/errors';
import { RouteTable } from '#kernel/http/route-match';
import { apiGatewayEvent } from '#local/api-gateway-event';
import { inInvocation } from '#local/invocation-scope';
import { localLambdaContext } from '#local/lambda-context';
import { requestOrigin, serveConsole } from '#local/console-files';
import type { DevIssuer } from '#local/dev-issuer';
import { type DevSignIn, devSignIn } from '#local/dev-sign-in';

type HttpHandler = ReturnType<typeof lambdaHandler>;

/** The same handler modules the stack deploys, one per route group, as API Gateway would route to them. */
const HANDLERS: Record<RouteGroup | 'fallback', HttpHandler> = {
  services,
  versions,
  audit,
  'api-keys': apiKeys,
  configs,
  'config-writes': configWrites,
  'config-transfer': configTransfer,
  secrets,
  deployments,
  'health-checks': healthChecks,
  metrics,
  models,
  alerts,
  'api-contracts': apiContracts,
  'openapi-uploads': openApiUploads,
  'compatibility-checks': compatibilityChecks,
  migrations,
  system,
  fallback,
};

/** API Gateway refuses payloads over 10 MB; a body up to that is passed whole to the handler, as there. */
const MAX_DRAIN_BYTES = 10 * 1024 * 1024;

/** What the server tells about each request it answered (the local runtime logs it). */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  ms: number;
  requestId: string;
  /** The Lambda function (route group) that answered it. */
  functionName: string;
  /** When the request arrived (epoch ms): the record itself may be made a little after the answer. */
  receivedAt: number;
}

export interface LocalServerOptions {
  onRequest?: (record: RequestRecord) => void;
  /** The development issuer, when on: the console may sign in with it (local/dev-sign-in.ts). */
  devIssuer?: DevIssuer | null;
}

interface LocalPages {
  devIssuer: DevIssuer | null;
  signIn?: DevSignIn;
}

/**
 * The local stand-in for API Gateway: matches the route, runs the Lambda authorizer on protected
 * routes, turns the request into a payload v2.0 event and calls the route group's handler. It also
 * serves the web console, as CloudFront does on AWS (local/console-files.ts), and, with the
 * development issuer, its sign-in pages (local/dev-sign-in.ts).
 */
export function createLocalServer(options: LocalServerOptions = {}): Server {
  const routes = new RouteTable(allContracts);
  const devIssuer = options.devIssuer ?? null;
  const pages: LocalPages = { devIssuer, signIn: devIssuer ? devSignIn(devIssuer) : undefined };
  return createServer((request, response) => {
    const started = performance.now();
    const receivedAt = Date.now();
    const requestId = randomBytes(8).toString('hex');
    serve(routes, pages, request, response, requestId)
      .catch((error) => {
        // Handlers answer their own failures; this is only for a fault in the local runtime itself.
        console.error(error);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Internal Server Error' }));
        return 'local-runtime';
      })
      .then((functionName) =>
        options.onRequest?.({
          method: request.method ?? 'GET',
          path: new URL(request.url ?? '/', 'http://localhost').pathname,
          status: response.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          requestId,
          functionName,
          receivedAt,
        }),
      );
  });
}

/** Answers one request; resolves to the name of the function that answered it. */
async function serve(
  routes: RouteTable,
  pages: LocalPages,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<string> {
  const body = await readBody(request);
  if (typeof body === 'number') {
    // As API Gateway does past its own 10 MB limit: 413 before any authorisation.
    const problem = problemResponse(
      new PayloadTooLargeError(`The request body is ${body} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MB).`),
      new URL(request.url ?? '/', 'http://localhost').pathname,
      requestId,
    );
    response.writeHead(413, { ...(problem.headers as Record<string, string>), 'apigw-requestid': requestId });
    response.end(problem.body);
    return 'api-gateway';
  }
  // The console's files (CloudFront on AWS) and the development issuer's sign-in.
  if (serveConsole(request, response, { devIssuer: pages.devIssuer })) return 'console';
  const origin = pages.signIn ? requestOrigin(request) : undefined;
  if (origin && (await pages.signIn?.serve(request, response, body, origin.http))) return 'dev-issuer';
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  // Direct uploads of large OpenAPI documents (S3 presigned PUTs on AWS).
  if (path.startsWith(LOCAL_UPLOADS_PATH)) return receiveUpload(request, response, url, body);
  const match = routes.match(request.method ?? 'GET', path);
  const operation = 'found' in match ? match.found.operation : undefined;
  const event = apiGatewayEvent(
    request,
    body,
    operation
      ? { routeKey: `${operation.method} ${operation.path}`, pathParameters: 'found' in match ? match.found.pathParameters : undefined }
      : { routeKey: '$default' },
    requestId,
  );
  if (operation && operation.access !== 'public') {
    const { context } = await authorizer({ headers: event.headers });
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: context };
  }
  const group = operation?.group ?? 'fallback';
  const functionName = `steward-${group}`;
  // Each request in its own invocation scope, so that log lines name this function and request.
  const result = await inInvocation(requestId, () => HANDLERS[group](event, localLambdaContext(functionName, requestId)));
  const headers: Record<string, string | number> = { ...(result.headers as Record<string, string>), 'apigw-requestid': requestId };
  const payload = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (payload) headers['content-length'] = payload.byteLength;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(payload);
  return functionName;
}

/**
 * The local stand-in for S3's presigned PUT (issue 11 §1, direct uploads of OpenAPI documents):
 * the URL's signature, expiry, type and length checked as S3 checks them (403 otherwise), the
 * bytes written to the local document store.
 */
async function receiveUpload(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer): Promise<string> {
  if (request.method !== 'PUT') {
    response.writeHead(405, { allow: 'PUT', 'content-type': 'text/plain' });
    response.end('Uploads are PUT.');
    return 'local-uploads';
  }
  const checked = checkLocalUpload(url.pathname, url.searchParams, request.headers['content-type'], body);
  if ('refused' in checked) {
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end(checked.refused);
    return 'local-uploads';
  }
  await documentStore().put(checked.key, body, String(request.headers['content-type']));
  response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
  response.end();
  return 'local-uploads';
}

/**
 * Reads the body whole, as API Gateway passes it up to its 10 MB limit (so the handler's 413
 * names the real size). Past that limit the rest is read and dropped, and the result is the
 * number of bytes that came, for a 413 answered when all has arrived: hanging up on a client
 * still sending reaches it as a connection reset, not a 413.
 */
function readBody(request: IncomingMessage): Promise<Buffer | number> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    request.on('data', (chunk: Buffer) => {
      seen += chunk.byteLength;
      if (seen > MAX_DRAIN_BYTES) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(seen > MAX_DRAIN_BYTES ? seen : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
