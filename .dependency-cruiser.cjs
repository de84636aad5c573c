/**
 * The layering rules of functions/ (see docs/architecture.md, "Where code goes"), checked by
 * `npm run lint:deps` as part of `npm test`.
 */
const FEATURE_STORE = '^functions/[^/]+/.*[.]store[.]ts$';
const PURE = '(\\.domain\\.ts$|^functions/[^/]+/(conditions|statistics|diff)/)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A request walks the layers without going back; a cycle makes bundles and reasoning tangle.',
      from: { path: '^(functions|local|lib|bin)/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Domain rules import no AWS SDK, no HTTP, no table access: they are tested without any of it.',
      from: { path: PURE },
      to: {
        path: ['^node_modules/@aws-sdk/', '^node_modules/@middy/', '^(node:)?(http|https|net|tls|dns|fs)$', '^functions/kernel/(http|store|outbound|secret-values)/', '\\.(store|routes|commands)\\.ts$'],
      },
    },
    {
      name: 'contracts-carry-no-behaviour',
      severity: 'error',
      comment: 'Contracts are read by the OpenAPI document, the fallback route list and cdk synth: schemas and types only.',
      from: { path: '\\.contract\\.ts$' },
      to: {
        pathNot: [
          '\\.(schema|contract|domain)\\.ts$',
          '^functions/kernel/http/(operation|media-types)\\.ts$',
          '^functions/kernel/schemas/',
          '^functions/kernel/(errors|events|roles)\\.ts$',
          '^node_modules/(zod|zod-openapi)/',
        ],
      },
    },
    {
      name: 'no-foreign-store',
      severity: 'error',
      comment: "A feature reads another feature's data through that feature's queries module, never its store.",
      from: { path: '^functions/([^/]+)/', pathNot: '^functions/handlers/' },
      to: { path: FEATURE_STORE, pathNot: '^functions/$1/' },
    },
    {
      name: 'kernel-uses-no-feature',
      severity: 'error',
      comment: 'The kernel is what every feature uses; it must not depend on any of them.',
      from: { path: '^functions/kernel/' },
      to: { path: '^functions/', pathNot: '^functions/kernel/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: ['^test/', '^bench/', '^cdk.out/'] },
  },
};
