import { PreconditionFailedError } from '#domain/errors';
import type { Actor } from '#store/event-log';

/** Who asked, and under which request: recorded on every event a command appends. */
export interface CommandContext {
  actor: Actor;
  requestId: string;
  /** The request's If-Match header, when it sent one. */
  ifMatch?: string;
}

/** ETags are the resource's revision number, quoted. */
export function etagOf(rev: number): string {
  return `"${rev}"`;
}

/** Honours If-Match (RFC 9110 §13.1.1): `*` or any listed tag equal to the current one. */
export function checkIfMatch(ifMatch: string | undefined, rev: number, what: string): void {
  if (ifMatch === undefined) return;
  const current = etagOf(rev);
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(current)) return;
  throw new PreconditionFailedError(`${what} has changed since you read it (its ETag is now ${current}); read it again and retry.`, {
    currentEtag: current,
  });
}
