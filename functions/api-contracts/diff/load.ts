// Loads OpenAPI documents sent as JSON or YAML: load-core.ts with js-yaml's core schema as the YAML parser.

import yaml from 'js-yaml';
import { type LoadedOpenApiDocument, loadWith, type OpenApiMediaType } from './load-core.ts';

export {
  type LoadedOpenApiDocument,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_EXPANSION_RATIO,
  MAX_NODES,
  type OpenApiMediaType,
  type SchemaValidator,
  setSchemaValidator,
} from './load-core.ts';

// The core schema keeps dates as strings (x-sunset) and knows no custom tags.
const parseYaml = (text: string): unknown => yaml.load(text, { schema: yaml.CORE_SCHEMA });

export function loadOpenApiDocument(bytes: Uint8Array | string, mediaType: OpenApiMediaType): Promise<LoadedOpenApiDocument> {
  return loadWith(bytes, mediaType, parseYaml);
}
