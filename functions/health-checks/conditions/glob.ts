/**
 * Whether a text matches a `pat()` glob: `*` stands for any run of characters (none included),
 * every other character stands for itself, and the whole text must match. Linear in the text's
 * length per `*`-separated part: no regular expression, so no catastrophic backtracking.
 */
export function matchGlob(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  // Each middle part at its leftmost place after the previous one, before the final part.
  const limit = text.length - last.length;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const at = text.indexOf(part, position);
    if (at === -1 || at + part.length > limit) return false;
    position = at + part.length;
  }
  return true;
}
