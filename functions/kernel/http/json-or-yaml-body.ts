import { YAMLException } from 'js-yaml';
import { BadRequestError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import { YAML_CONTENT_TYPES } from './media-types.ts';
import { parseYaml } from './yaml.ts';

/**
 * A body parser for operations that take JSON or YAML (chosen by Content-Type). A YAML error
 * is a 400 that says where: line and column.
 */
export function parseJsonOrYaml(raw: string, contentType: string): unknown {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (YAML_CONTENT_TYPES.includes(mediaType)) {
    try {
      // Through JSON, so the operation sees exactly what a JSON body would give (no Date, no shared objects).
      return JSON.parse(JSON.stringify(parseYaml(raw)) ?? 'null');
    } catch (error) {
      // An alias bomb or a cycle has no one position; an unknown anchor is named in the message.
      if (!(error instanceof YAMLException) || error.reason.startsWith('unidentified alias')) {
        const message = error instanceof YAMLException ? error.reason : ((error as Error).message.split('\n')[0] ?? 'is not valid YAML');
        throw new ValidationError(`The body is not valid YAML: ${message}.`, [{ pointer: '/body', message }]);
      }
      // js-yaml counts lines and columns from 0.
      const [line, column] = error.mark ? [error.mark.line + 1, error.mark.column + 1] : [undefined, undefined];
      const where = line ? ` at line ${line}, column ${column}` : '';
      const message = error.reason || 'is not valid YAML';
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
