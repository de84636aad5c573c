import { etagOf } from '#kernel/command-context';
import { rotationDueAt, type Secret } from './secret.domain.ts';

/** How a secret looks on the wire: its metadata and ETag. There is no value to leave out: metadata never holds one. */
export function secretView(secret: Secret) {
  const { rev, ...fields } = secret;
  return { ...fields, rotationDueAt: rotationDueAt(secret), etag: etagOf(rev) };
}

export function secretPath(secret: Pick<Secret, 'service' | 'environment' | 'name'>): string {
  return `/v1/services/${secret.service}/secrets/${secret.environment}/${encodeURIComponent(secret.name)}`;
}
