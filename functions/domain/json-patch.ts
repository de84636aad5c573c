import fastJsonPatch, { type Operation } from 'fast-json-patch';

/** RFC 6902 JSON Patch turning `from` into `to`. */
export function jsonPatch(from: unknown, to: unknown): Operation[] {
  return fastJsonPatch.compare((from ?? {}) as object, (to ?? {}) as object);
}

/** Patches larger than this are left out of audit records (the versions themselves keep the content). */
export const MAX_AUDITED_PATCH_BYTES = 32 * 1024;

/** The patch for an audit record, or a note that it was too large to keep there. */
export function auditedPatch(from: unknown, to: unknown): { patch: Operation[] } | { patchOmitted: string } {
  const patch = jsonPatch(from, to);
  const bytes = Buffer.byteLength(JSON.stringify(patch));
  return bytes <= MAX_AUDITED_PATCH_BYTES ? { patch } : { patchOmitted: `${bytes} bytes; compare the versions with the diff endpoint` };
}
