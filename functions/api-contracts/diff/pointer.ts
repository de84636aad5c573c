// JSON pointers (RFC 6901) as the engine reports them: every change and error names where it is.

export function escapeToken(token: string): string {
  // Most tokens need no escaping; checking first keeps pointer building cheap on large documents.
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapeToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Appends tokens to a pointer: child('/paths', '/pets', 'get') is '/paths/~1pets/get'. */
export function child(pointer: string, ...tokens: Array<string | number>): string {
  let out = pointer;
  for (const token of tokens) out += `/${escapeToken(String(token))}`;
  return out;
}

/** The last token of a pointer, unescaped ('' for the root). */
export function lastToken(pointer: string): string {
  const at = pointer.lastIndexOf('/');
  return at < 0 ? '' : unescapeToken(pointer.slice(at + 1));
}
