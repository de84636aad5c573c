import { commandContext } from '#kernel/http/request-context';
import { versionPath, versionView } from './services.view.ts';
import {
  addVersionChanges,
  deprecateBeyondSupportedMajors,
  moveVersion,
  readVersion,
  registerVersion,
  updateVersion,
} from './versions.commands.ts';
import * as contracts from './versions.contract.ts';
import { NotFoundError } from '#kernel/errors';
import type { LifecycleAction } from './lifecycle.domain.ts';
import { type Contract, implement } from '#kernel/http/operation';
import type { Schema } from '#kernel/http/operation';
import { getService } from './services.store.ts';
import { listVersions } from './versions.store.ts';
import { aliasTarget, resolveSunsetAlert, servingStatuses } from '#models/public';

/** A model version's `servingStatus` field, or none for an API's version. */
function servingOf(serving: Map<string, string> | null, version: string): { servingStatus?: string } {
  const status = serving?.get(version);
  return status ? { servingStatus: status } : {};
}

function lifecycleOperation(contract: Contract<Schema, Schema, Schema, { from: 'path'; param: string }>, action: LifecycleAction) {
  return implement(contract, async (request) => {
    const params = request.params as { name: string; version: string };
    const body = request.body as {
      reason?: string;
      sunsetAt?: string;
      replacement?: string;
      acceptBreaking?: { reason: string };
      force?: { reason: string };
    };
    const moved = await moveVersion(params.name, params.version, action, body, commandContext(request));
    // The version policy may deprecate older majors now (issue 11); their versions say so, and the audit trail.
    if (action === 'release') await deprecateBeyondSupportedMajors(params.name, moved.version, commandContext(request));
    // A model version still called past its sunset has an alert (issue 10, item 11): retiring it resolves it.
    if (action === 'retire') {
      await resolveSunsetAlert(
        params.name,
        moved.version,
        `${params.name} ${moved.version} was retired.`,
        new Date(),
        commandContext(request),
      );
    }
    const view = versionView(moved);
    return { status: 200, body: view, headers: { etag: view.etag } };
  });
}

export const versionOperations = [
  implement(contracts.registerVersion, async (request) => {
    const version = await registerVersion(request.params.name, request.body, commandContext(request));
    const view = versionView(version);
    return { status: 201, body: view, headers: { location: versionPath(version.service, version.version), etag: view.etag } };
  }),

  implement(contracts.listVersions, async (request) => {
    const [stored, page] = await Promise.all([getService(request.params.name), listVersions(request.params.name, request.query)]);
    if (!stored) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    // A model's versions show their serving status (issue 10).
    const serving = await servingStatuses(request.params.name, page.items, stored.service.kind);
    const items = page.items.map((version) => ({ ...versionView(version), ...servingOf(serving, version.version) }));
    return { status: 200, body: { items, nextCursor: page.nextCursor } };
  }),

  implement(contracts.getVersion, async (request) => {
    // A model's `@alias` (issue 10) names the version it points at.
    const { name, version } = request.params;
    const found = await readVersion(name, version.startsWith('@') ? await aliasTarget(name, version) : version);
    const view = { ...versionView(found), ...servingOf(await servingStatuses(name, [found]), found.version) };
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.updateVersion, async (request) => {
    const version = await updateVersion(request.params.name, request.params.version, request.body, commandContext(request));
    const view = { ...versionView(version), ...servingOf(await servingStatuses(request.params.name, [version]), version.version) };
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.addVersionChanges, async (request) => {
    const version = await addVersionChanges(request.params.name, request.params.version, request.body.changes, commandContext(request));
    const view = versionView(version);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  lifecycleOperation(contracts.releaseVersion, 'release'),
  lifecycleOperation(contracts.deprecateVersion, 'deprecate'),
  lifecycleOperation(contracts.retireVersion, 'retire'),
];
