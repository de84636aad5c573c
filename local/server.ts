import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { allContracts } from '#system/all-contracts';
import { handler as authorizer } from '../functions/handlers/authorizer.ts';
import { handler as fallback } from '../functions/handlers/fallback.ts';
import { handler as alerts } from '../functions/handlers/alerts.ts';
import { handler as apiKeys } from '../functions/handlers/api-keys.ts';
import { handler as audit } from '../functions/handlers/audit.ts';
import { handler as configTransfer } from '../functions/handlers/config-transfer.ts';
import { handler as configWrites } from '../functions/handlers/config-writes.ts';
import { handler as configs } from '../functions/handlers/configs.ts';
import { handler as deployments } from '../functions/handlers/deployments.ts';
import { handler as healthChecks } from '../functions/handlers/health-checks.ts';
import { handler as metrics } from '../functions/handlers/metrics.ts';
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
import { localLambdaContext } from '#local/lambda-context';

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
  alerts,
  system,
  fallback,
};

/** API Gateway refuses payloads over 10 MB; bodies past our own 1 MB limit are kept no further. */
const MAX_DRAIN_BYTES = 10 * 1024 * 1024;

/**
 * The local stand-in for API Gateway: matches the route, runs the Lambda authorizer on protected
 * routes, turns the request into a payload v2.0 event and calls the route group's handler.
 */
export function createLocalServer(): Server {
  const routes = new RouteTable(allContracts);
  return createServer((request, response) => {
    serve(routes, request, response).catch((error) => {
      // Handlers answer their own failures; this is only for a fault in the local runtime itself.
      console.error(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
}

async function serve(routes: RouteTable, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomBytes(8).toString('hex');
  const body = await readBody(request);
  if (body === TOO_LARGE) {
    // As API Gateway does past its own 10 MB limit: 413 before any authorisation.
    const problem = problemResponse(
      new PayloadTooLargeError(`The request body is over ${MAX_DRAIN_BYTES} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MB).`),
      new URL(request.url ?? '/', 'http://localhost').pathname,
      requestId,
    );
    response.writeHead(413, { ...(problem.headers as Record<string, string>), 'apigw-requestid': requestId });
    response.end(problem.body);
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
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
  const result = await HANDLERS[group](event, localLambdaContext(`steward-${group}`, requestId));
  const headers: Record<string, string | number> = { ...(result.headers as Record<string, string>), 'apigw-requestid': requestId };
  const payload = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (payload) headers['content-length'] = payload.byteLength;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(payload);
}

const TOO_LARGE = Symbol('too large');

/**
 * Reads the body, keeping at most one byte past the limit (enough for the handler to answer 413
 * after authorising). Past API Gateway's own limit the rest is read and dropped, and the caller
 * answers 413 when it has all arrived: hanging up on a client still sending reaches it as a
 * connection reset, not a 413.
 */
function readBody(request: IncomingMessage): Promise<Buffer | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    request.on('data', (chunk: Buffer) => {
      seen += chunk.byteLength;
      if (seen > MAX_DRAIN_BYTES) {
        chunks.length = 0;
        return;
      }
      if (kept <= MAX_BODY_BYTES) {
        const slice = chunk.subarray(0, MAX_BODY_BYTES + 1 - kept);
        chunks.push(slice);
        kept += slice.byteLength;
      }
    });
    request.on('end', () => resolve(seen > MAX_DRAIN_BYTES ? TOO_LARGE : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
