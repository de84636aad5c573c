import { BadRequestError } from '../errors.ts';

/**
 * The media type of a request body, lowercased and without parameters ('' when none was sent).
 *
 * API Gateway (and the local server, as it does) joins a repeated header into one value with
 * commas, so a client that sends two Content-Type headers (`-H 'content-type: application/json'`
 * from a shared array, then `-H 'content-type: application/yaml'`) arrives as
 * `application/json,application/yaml`. A media type never holds a comma outside a quoted
 * parameter, so two of them are refused with a 400 that names both, instead of reading the body
 * as whichever came first.
 */
export function requestMediaType(header: string | undefined): string {
  const types = splitOutsideQuotes(header ?? '')
    .map((value) => value.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((value) => value.length > 0);
  const distinct = [...new Set(types)];
  if (distinct.length > 1) {
    throw new BadRequestError(
      `The request has ${types.length} Content-Type headers (${types.join(', ')}); send one.`,
      'Conflicting Content-Type headers',
    );
  }
  return distinct[0] ?? '';
}

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
