import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#kernel/errors';
import { headerMatches } from '#kernel/command-context';
import { implement } from '#kernel/http/operation';
import { commandContext } from '#kernel/http/request-context';
import { getService } from '#services/public';
import { type ChangelogEntry, renderChangelogJson, renderChangelogMarkdown } from './diff/changelog.ts';
import { changelogVersions } from './changelog.ts';
import { compareStored, requireDocument } from './compatibility.ts';
import { registerConsumer, updatePolicy } from './contracts.commands.ts';
import { versionConsumers } from './consumers.ts';
import { environmentInfo } from './environment-info.ts';
import { findVersion, type VersionRecord } from './compatibility.ts';
import { lifecycleHeaders } from './lifecycle.domain.ts';
import { parseVersionParam, requireService } from './version-refs.ts';
import * as contracts from './contracts.contract.ts';
import { type ContractsHead, listConsumers, readHead } from './contracts.store.ts';
import { readDocumentBytes } from './documents.ts';

function policyView(head: ContractsHead) {
  return { service: head.service, ...head.policy, updatedAt: head.updatedAt, etag: `"${head.rev}"` };
}

export const apiContractOperations = [
  implement(contracts.getOpenApi, async (request) => {
    const { name, version: raw } = request.params;
    const version = await versionOrNotFound(name, raw, '/path/version');
    const { pointer, frozen } = await requireDocument(name, version);
    const etag = `"${pointer.digest}"`;
    if (headerMatches(request.headers['if-none-match'], etag)) return { status: 304, headers: { etag } as Record<string, string> };
    const bytes = await readDocumentBytes(pointer);
    return {
      status: 200,
      body: Buffer.from(bytes).toString('utf8'),
      contentType: pointer.mediaType,
      headers: { etag, 'x-steward-frozen': String(frozen) },
    };
  }),

  implement(contracts.getCompatibility, async (request) => {
    const { name } = request.params;
    const [base, revision] = await Promise.all([
      versionOrNotFound(name, request.query.base, '/query/base'),
      versionOrNotFound(name, request.query.revision, '/query/revision'),
    ]);
    const [baseDocument, revisionDocument] = await Promise.all([requireDocument(name, base), requireDocument(name, revision)]);
    return { status: 200, body: await compareStored(baseDocument, revisionDocument) };
  }),

  implement(contracts.getVersionPolicy, async (request) => {
    await requireService(request.params.name);
    const { head } = await readHead(request.params.name);
    const view = policyView(head);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.putVersionPolicy, async (request) => {
    const view = policyView(await updatePolicy(request.params.name, request.body, commandContext(request)));
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.getChangelog, async (request) => {
    const { name } = request.params;
    const { from, to, format } = request.query;
    if (!(await getService(name))) throw new NotFoundError(`There is no service named ${name}.`);
    const { head } = await readHead(name);
    const entries: ChangelogEntry[] = [];
    for (const { base, revision } of await changelogVersions(name, from, to)) {
      const report = await compareStored(base, revision, head.policy);
      entries.push({ version: revision.version.version, report });
    }
    if (format === 'json') return { status: 200, body: { service: name, from, to, ...renderChangelogJson(entries) } };
    return {
      status: 200,
      contentType: 'text/markdown; charset=utf-8',
      body: renderChangelogMarkdown(entries, { title: `${name}: changes from ${from} to ${to}` }),
    };
  }),
  implement(contracts.getLifecycle, async (request) => {
    const { name, version: raw } = request.params;
    const version = (await versionOrNotFound(name, raw, '/path/version')) as VersionRecord & {
      deprecatedAt: string | null;
      deprecation: { sunsetAt: string | null; replacement: string | null } | null;
    };
    const lifecycle = {
      status: version.status,
      deprecatedAt: version.deprecatedAt,
      sunsetAt: version.deprecation?.sunsetAt ?? null,
      replacement: version.deprecation?.replacement ?? null,
    };
    const base = publicBaseUrl(request.event);
    const headers = lifecycleHeaders(lifecycle, {
      deprecation: `${base}/v1/services/${name}/versions/${version.version}/lifecycle`,
      successor: (replacement) => `${base}/v1/services/${name}/versions/${replacement}`,
    });
    return { status: 200, body: { service: name, version: version.version, ...lifecycle, headers } };
  }),
  implement(contracts.putConsumer, async (request) => {
    const { name, consumer } = request.params;
    const result = await registerConsumer(name, consumer, request.body ?? {}, commandContext(request));
    return { status: result.created ? 201 : 200, body: result.consumer };
  }),

  implement(contracts.listServiceConsumers, async (request) => {
    await requireService(request.params.name);
    const page = await listConsumers(request.params.name, request.query);
    return { status: 200, body: page };
  }),

  implement(contracts.getVersionConsumers, async (request) => {
    const { name, version: raw } = request.params;
    const version = await versionOrNotFound(name, raw, '/path/version');
    const consumers = await versionConsumers(name, version.version, { days: request.query.days, metric: request.query.metric });
    return { status: 200, body: { service: name, version: version.version, ...consumers } };
  }),
  implement(contracts.getEnvironmentInfo, async (request) => ({
    status: 200,
    body: await environmentInfo(request.params.name, request.params.env),
  })),
];

async function versionOrNotFound(service: string, raw: string, pointer: string) {
  parseVersionParam(raw, pointer);
  const version = await findVersion(service, raw);
  if (version) return version;
  await requireService(service);
  throw new NotFoundError(`Service ${service} has no version ${raw}.`);
}

/** Steward's own base URL as the caller reached it (API Gateway's host and stage, or the local server). */
function publicBaseUrl(event: APIGatewayProxyEventV2): string {
  const host = event.headers.host ?? event.requestContext.domainName;
  const proto = event.headers['x-forwarded-proto'] ?? (host?.startsWith('localhost') || host?.startsWith('127.') ? 'http' : 'https');
  const stage = event.requestContext.stage && event.requestContext.stage !== '$default' ? `/${event.requestContext.stage}` : '';
  return `${proto}://${host}${stage}`;
}
