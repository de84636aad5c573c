// The loader accepts real contracts (JSON or YAML, same digest as an independent canonicalisation) and refuses
// every kind of bad upload with an error that says where and what to fix.

import '../../../functions/api-contracts/schema-validator.ts';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYamlReference } from 'yaml';
import {
  loadOpenApiDocument,
  MAX_DOCUMENT_BYTES,
  OpenApiDocumentError,
  type OpenApiMediaType,
} from '../../../functions/api-contracts/diff/index.ts';

const JSON_TYPE = 'application/json';
const YAML_TYPE = 'application/yaml';

const petsYaml = `
openapi: 3.1.0
info:
  title: Pets
  version: 1.0.0
paths:
  /pets/{id}:
    get:
      deprecated: true
      x-sunset: 2030-01-01
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        '200':
          description: A pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string, maxLength: 80 }
        children: { type: array, items: { $ref: '#/components/schemas/Pet' } }
`;

// The same document written as JSON, with its keys in another order.
const petsJson = JSON.stringify({
  components: {
    schemas: {
      Pet: {
        properties: { children: { items: { $ref: '#/components/schemas/Pet' }, type: 'array' }, name: { maxLength: 80, type: 'string' } },
        required: ['name'],
        type: 'object',
      },
    },
  },
  paths: {
    '/pets/{id}': {
      get: {
        responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } }, description: 'A pet' } },
        parameters: [{ schema: { type: 'string' }, required: true, in: 'path', name: 'id' }],
        'x-sunset': '2030-01-01',
        deprecated: true,
      },
    },
  },
  info: { version: '1.0.0', title: 'Pets' },
  openapi: '3.1.0',
});

/** An independent canonical form: another YAML parser, a recursive key sort, Node's hash. */
function referenceDigest(yamlText: string): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, inner]) => [key, sort(inner)]),
      );
    }
    return value;
  };
  const canonical = JSON.stringify(sort(parseYamlReference(yamlText, { schema: 'core' })));
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

async function problemsOf(input: Uint8Array | string, mediaType: string): Promise<Array<{ pointer: string; message: string }>> {
  try {
    await loadOpenApiDocument(input, mediaType as OpenApiMediaType);
  } catch (error) {
    if (error instanceof OpenApiDocumentError) return error.errors;
    throw error;
  }
  throw new Error('the document was accepted');
}

const minimal = (extra: string) => `openapi: 3.1.0\ninfo: { title: t, version: '1' }\npaths: {}\n${extra}`;

describe('loading a valid document', () => {
  it('gives a JSON and a YAML spelling of the same document the same digest, the one an independent canonicalisation gives', async () => {
    // Act
    const fromYaml = await loadOpenApiDocument(petsYaml, YAML_TYPE);
    const fromJson = await loadOpenApiDocument(new TextEncoder().encode(petsJson), JSON_TYPE);

    // Assess
    expect(fromYaml.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fromJson.digest).toBe(fromYaml.digest);
    expect(fromYaml.digest).toBe(referenceDigest(petsYaml));
  });

  it('gives a different digest when any value changes', async () => {
    // Act
    const original = await loadOpenApiDocument(petsYaml, YAML_TYPE);
    const changed = await loadOpenApiDocument(petsYaml.replace('maxLength: 80', 'maxLength: 81'), YAML_TYPE);

    // Assess
    expect(changed.digest).not.toBe(original.digest);
  });

  it('resolves references into shared objects, keeps recursion as a cycle, and leaves the raw document as sent', async () => {
    // Act
    const loaded = await loadOpenApiDocument(petsYaml, YAML_TYPE);

    // Assess
    const document = loaded.document as any;
    const pet = document.components.schemas.Pet;
    expect(loaded.version).toBe('3.1');
    expect(document.paths['/pets/{id}'].get.responses['200'].content['application/json'].schema).toBe(pet);
    expect(pet.properties.children.items).toBe(pet);
    expect((loaded.raw as any).components.schemas.Pet.properties.children.items).toEqual({ $ref: '#/components/schemas/Pet' });
    expect(JSON.stringify(loaded.raw)).toBe(JSON.stringify(parseYamlReference(petsYaml, { schema: 'core' })));
  });

  it('keeps YAML dates as text, so x-sunset reads the same as in JSON', async () => {
    // Act
    const loaded = await loadOpenApiDocument(petsYaml, YAML_TYPE);

    // Assess
    expect((loaded.raw as any).paths['/pets/{id}'].get['x-sunset']).toBe('2030-01-01');
  });

  it('treats a $ref inside an example as data, and merges keywords beside a 3.1 schema $ref', async () => {
    // Prepare
    const text = JSON.stringify({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': {
                    schema: { $ref: '#/components/schemas/Name', maxLength: 5 },
                    example: { $ref: 'https://example.com/x' },
                  },
                },
              },
            },
          },
        },
      },
      components: { schemas: { Name: { type: 'string' } } },
    });

    // Act
    const loaded = await loadOpenApiDocument(text, JSON_TYPE);

    // Assess
    const media = (loaded.document as any).paths['/a'].get.responses['200'].content['application/json'];
    expect(media.example).toEqual({ $ref: 'https://example.com/x' });
    expect(media.schema).toEqual({ type: 'string', maxLength: 5 });
  });

  it('loads OpenAPI 3.0 documents', async () => {
    // Act
    const loaded = await loadOpenApiDocument('{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}', JSON_TYPE);

    // Assess
    expect(loaded.version).toBe('3.0');
  });
});

describe('refusing a document', () => {
  const bomb = [
    'openapi: 3.1.0',
    "info: { title: t, version: '1' }",
    'paths: {}',
    'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ]
    .concat(
      ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
        (name, index) => `x-${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`,
      ),
    )
    .join('\n');

  it.each([
    ['a string over 10 MB', 'x'.repeat(MAX_DOCUMENT_BYTES + 1), JSON_TYPE, '', /is 10485761 bytes .*limit is 10485760 bytes/],
    ['bytes over 10 MB', new Uint8Array(MAX_DOCUMENT_BYTES + 5), JSON_TYPE, '', /is 10485765 bytes/],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), JSON_TYPE, '', /not valid UTF-8/],
    ['an unknown media type', '{}', 'text/plain', '', /unsupported media type "text\/plain"; send application\/json or application\/yaml/],
    ['broken JSON', '{"openapi": ', JSON_TYPE, '', /not valid JSON/],
    ['broken YAML', 'openapi: 3.1.0\n  info: [\n', YAML_TYPE, '', /not valid YAML at line 2, column/],
    ['a JSON array', '[1, 2]', JSON_TYPE, '', /must be an object, not an array/],
    ['a YAML scalar', 'just some text', YAML_TYPE, '', /must be an object, not a string/],
    [
      'a Swagger 2.0 document',
      'swagger: "2.0"\ninfo: { title: t, version: "1" }\npaths: {}',
      YAML_TYPE,
      '/swagger',
      /^Swagger 2.0 documents are not supported; convert to OpenAPI 3 \(e.g. swagger2openapi\)$/,
    ],
    ['no openapi field', '{"info": {"title": "t", "version": "1"}, "paths": {}}', JSON_TYPE, '', /no openapi field/],
    ['an unquoted YAML version', 'openapi: 3.1\npaths: {}', YAML_TYPE, '/openapi', /must be a string such as "3.1.0", not a number/],
    ['an unsupported version', '{"openapi": "3.2.0", "paths": {}}', JSON_TYPE, '/openapi', /OpenAPI 3.2.0 is not supported/],
    [
      'a numeric info.version',
      minimal('').replace("version: '1'", 'version: 1'),
      YAML_TYPE,
      '/info/version',
      /must be a string such as "1.0.0"/,
    ],
    ['a YAML alias bomb', bomb, YAML_TYPE, expect.stringMatching(/^\/x-/), /expands to more than \d+ values through YAML aliases/],
    ['an alias inside its own anchor', minimal('x-loop: &loop { self: *loop }'), YAML_TYPE, '/x-loop/self', /contain itself/],
    [
      'absurd nesting',
      `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"x-deep":${'['.repeat(300)}${']'.repeat(300)}}`,
      JSON_TYPE,
      expect.stringMatching(/^\/x-deep\/0\/0/),
      /nested more than 256 levels/,
    ],
  ])('refuses %s with a clear error', async (_name, input, mediaType, pointer, message) => {
    // Act
    const problems = await problemsOf(input, mediaType);

    // Assess
    expect(problems).toEqual([{ pointer, message: expect.stringMatching(message) }]);
  });

  const withSchema = (schema: unknown) =>
    JSON.stringify({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } } } },
      components: { schemas: { Known: { type: 'string' } } },
    });
  const schemaPointer = '/paths/~1a/get/responses/200/content/application~1json/schema/$ref';

  it.each([
    [
      'an http reference',
      'https://example.com/pets.json#/Pet',
      'external references are not supported: https://example.com/pets.json#/Pet',
    ],
    [
      'a file reference',
      './common.yaml#/components/schemas/Pet',
      'external references are not supported: ./common.yaml#/components/schemas/Pet',
    ],
    [
      'a reference to nothing',
      '#/components/schemas/Unknown',
      '$ref #/components/schemas/Unknown cannot be resolved: /components/schemas has no "Unknown"',
    ],
    ['an anchor reference', '#Pet', 'only JSON-pointer references (#/...) are supported, not #Pet'],
  ])('refuses %s without fetching anything', async (_name, ref, message) => {
    // Act
    const problems = await problemsOf(withSchema({ $ref: ref }), JSON_TYPE);

    // Assess
    expect(problems).toEqual([{ pointer: schemaPointer, message }]);
  });

  it('refuses a schema-invalid document with a pointer to each problem', async () => {
    // Prepare
    const text = JSON.stringify({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/a': { get: { responses: { '200': { descripton: 'typo' } } } } },
    });

    // Act
    const problems = await problemsOf(text, JSON_TYPE);

    // Assess
    expect(problems).toEqual([
      { pointer: '/paths/~1a/get/responses/200', message: 'missing required property "description"' },
      { pointer: '/paths/~1a/get/responses/200/descripton', message: 'unexpected property "descripton"' },
    ]);
  });

  it('refuses an invalid OpenAPI 3.0 parameter in one readable error per place', async () => {
    // Prepare
    const text = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': { get: { parameters: [{ name: 'q', in: 'body', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
      },
    });

    // Act
    const problems = await problemsOf(text, JSON_TYPE);

    // Assess
    expect(problems).toContainEqual({
      pointer: '/paths/~1a/get/parameters/0/in',
      message: 'must be one of "path", "query", "header", "cookie"',
    });
  });
});
