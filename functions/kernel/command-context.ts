import { PreconditionFailedError } from './errors.ts';
import type { Actor } from './store/event-log.ts';

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

/**
 * Whether an If-Match / If-None-Match header names `etag` (or is `*`). Weak tags compare by
 * their opaque value: Steward's tags are revisions, so weak and strong mean the same here.
 */
export function headerMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** Honours If-Match (RFC 9110 §13.1.1): `*` or any listed tag equal to the current one. */
export function checkIfMatch(ifMatch: string | undefined, rev: number, what: string): void {
  if (ifMatch === undefined) return;
  const current = etagOf(rev);
  if (headerMatches(ifMatch, current)) return;
  throw new PreconditionFailedError(`${what} has changed since you read it (its ETag is now ${current}); read it again and retry.`, {
    currentEtag: current,
  });
}
