import { parse, YAMLParseError } from 'yaml';
import { BadRequestError, UnsupportedMediaTypeError, ValidationError } from '#domain/errors';
import { YAML_CONTENT_TYPES } from '#http/media-types';

/**
 * A body parser for operations that take JSON or YAML (chosen by Content-Type). A YAML error
 * is a 400 that says where: line and column.
 */
export function parseJsonOrYaml(raw: string, contentType: string): unknown {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (YAML_CONTENT_TYPES.includes(mediaType)) {
    try {
      // Through JSON: YAML can build what JSON cannot hold (cycles through aliases, binary).
      return JSON.parse(JSON.stringify(parse(raw, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 })) ?? 'null');
    } catch (error) {
      if (!(error instanceof YAMLParseError)) {
        // Alias trouble (an unknown anchor, too many aliases) and cycles are thrown as other errors, without a position.
        const message = (error as Error).message.split('\n')[0] ?? 'is not valid YAML';
        throw new ValidationError(`The body is not valid YAML: ${message}.`, [{ pointer: '/body', message }]);
      }
      const [line, column] = [error.linePos?.[0]?.line, error.linePos?.[0]?.col];
      const where = line ? ` at line ${line}, column ${column}` : '';
      // The parser's first line repeats the position; keep the words only.
      const message = (error.message.split('\n')[0] ?? 'is not valid YAML').replace(/ at line \d+, column \d+:?$/, '');
      throw new ValidationError(`The body is not valid YAML${where}: ${message}.`, [
        { pointer: '/body', message: `${message}${where}`, line, column },
      ]);
    }
  }
  if (/^application\/([\w.+-]+\+)?json$/.test(mediaType)) {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new BadRequestError(`The body is not valid JSON: ${(error as Error).message}.`, 'Malformed JSON');
    }
  }
  throw new UnsupportedMediaTypeError(`Send the body as application/json or application/yaml${mediaType ? `, not ${mediaType}` : ''}.`);
}
