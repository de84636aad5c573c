import { ValidationError } from '#kernel/errors';
import { implement } from '#kernel/http/operation';
import { diffOpenApi } from './diff/diff.ts';
import { loadWith } from './diff/load-core.ts';
import { withVersions } from './report.view.ts';
import './schema-validator.ts';
import * as contracts from './check.contract.ts';
import { loadOrRefuse } from './document-problems.ts';
import { parseVersionParam } from './version-refs.ts';

/** A document field of the body, loaded as the JSON it came as (YAML is taken by the upload route). */
function loadField(value: Record<string, unknown>, at: string) {
  return loadOrRefuse(() => loadWith(Buffer.from(JSON.stringify(value), 'utf8'), 'application/json'), at);
}

export const compatibilityCheckOperations = [
  implement(contracts.checkCompatibility, async (request) => {
    const { base, revision, baseVersion, revisionVersion } = request.body;
    if ((baseVersion === undefined) !== (revisionVersion === undefined)) {
      throw new ValidationError('Send both baseVersion and revisionVersion, or neither.', [
        {
          pointer: baseVersion === undefined ? '/body/baseVersion' : '/body/revisionVersion',
          message: 'is required with the other version',
        },
      ]);
    }
    if (baseVersion) parseVersionParam(baseVersion, '/body/baseVersion');
    if (revisionVersion) parseVersionParam(revisionVersion, '/body/revisionVersion');
    const baseLoaded = await loadField(base, '/body/base');
    const revisionLoaded = await loadField(revision, '/body/revision');
    const report = diffOpenApi(baseLoaded, revisionLoaded, { now: new Date() });
    return {
      status: 200,
      body: withVersions(report, baseVersion ?? null, baseLoaded.digest, revisionVersion ?? null, revisionLoaded.digest),
    };
  }),
];
