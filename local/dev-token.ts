import { parseArgs } from 'node:util';
import { startDevIssuer } from '#local/dev-issuer';

/**
 * `npm run dev-token -- --sub alice --groups steward-deployer [--minutes 60] [--data-dir .steward]`:
 * a token from the local development issuer, for `Authorization: Bearer` against `npm start`
 * run with STEWARD_DEV_ISSUER=1.
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-user' },
    groups: { type: 'string', default: 'steward-admin' },
    email: { type: 'string' },
    services: { type: 'string' },
    minutes: { type: 'string', default: '60' },
    'data-dir': { type: 'string', default: process.env.STEWARD_DATA_DIR ?? '.steward' },
  },
});
const issuer = await startDevIssuer(values['data-dir'] ?? '.steward');
const token = await issuer.sign(
  {
    sub: values.sub,
    groups: (values.groups ?? '').split(',').filter((group) => group !== ''),
    ...(values.email ? { email: values.email } : {}),
    ...(values.services ? { services: values.services.split(',') } : {}),
  },
  { expiresIn: `${Number(values.minutes)}m` },
);
console.log(token);
