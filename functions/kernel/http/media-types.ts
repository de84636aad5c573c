/** Media types Steward reads and writes, kept apart from the parsers so contracts can name them cheaply. */
export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
