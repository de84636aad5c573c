import { etagOf } from '#kernel/command-context';
import type { ApiKey } from '#api-keys/api-key.domain';
import { allowedActions } from './lifecycle.domain.ts';
import { type Service, serviceStatus, versionTotal } from './service.domain.ts';
import type { Version } from './version.domain.ts';

/** How resources look on the wire: the stored record plus what clients need to act on it. */

export function serviceView(service: Service) {
  return {
    name: service.name,
    displayName: service.displayName,
    description: service.description,
    kind: service.kind,
    owner: service.owner,
    tags: service.tags,
    status: serviceStatus(service.versionCounts),
    versionCount: versionTotal(service.versionCounts),
    versionCounts: service.versionCounts,
    latestReleased: service.latestReleased,
    createdAt: service.createdAt,
    updatedAt: service.updatedAt,
    etag: etagOf(service.rev),
  };
}

export function versionView(version: Version) {
  const { rev, ...fields } = version;
  return { ...fields, allowedActions: allowedActions(version.status), etag: etagOf(rev) };
}

export function apiKeyView(apiKey: ApiKey) {
  return { ...apiKey };
}

export function servicePath(name: string): string {
  return `/v1/services/${name}`;
}

export function versionPath(service: string, version: string): string {
  return `/v1/services/${service}/versions/${encodeURIComponent(version)}`;
}
