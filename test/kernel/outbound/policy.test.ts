import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK_POLICY, parseAllowList, STRICT_POLICY } from '../../../functions/kernel/outbound/address-policy.ts';
import {
  configureOutboundPolicy,
  OUTBOUND_ALLOW_ENV,
  outboundPolicy,
  policyFromEnvironment,
} from '../../../functions/kernel/outbound/policy.ts';
import { OutboundRefusedError, safeFetch } from '../../../functions/kernel/outbound/safe-fetch.ts';

const texts = (policy: { allow: readonly { text: string }[] }) => policy.allow.map((cidr) => cidr.text);

describe('policyFromEnvironment', () => {
  it('is strict on AWS and allows loopback locally when nothing is set', () => {
    expect(policyFromEnvironment('aws', {})).toBe(STRICT_POLICY);
    expect(policyFromEnvironment('local', {})).toBe(LOOPBACK_POLICY);
  });

  it('STEWARD_OUTBOUND_ALLOW replaces the default on both', () => {
    const env = { [OUTBOUND_ALLOW_ENV]: 'loopback,10.20.0.0/16' };
    expect(texts(policyFromEnvironment('aws', env))).toEqual(['127.0.0.0/8', '::1/128', '10.20.0.0/16']);
    expect(texts(policyFromEnvironment('local', { [OUTBOUND_ALLOW_ENV]: '10.20.0.0/16' }))).toEqual(['10.20.0.0/16']);
  });

  it('`none` or an empty value makes the local runtime strict', () => {
    expect(policyFromEnvironment('local', { [OUTBOUND_ALLOW_ENV]: 'none' }).allow).toEqual([]);
    expect(policyFromEnvironment('local', { [OUTBOUND_ALLOW_ENV]: '' }).allow).toEqual([]);
  });

  it('a bad entry fails loudly, naming the setting and the entry', () => {
    expect(() => policyFromEnvironment('aws', { [OUTBOUND_ALLOW_ENV]: '10.0.0.1/8' })).toThrow(
      /^STEWARD_OUTBOUND_ALLOW: "10\.0\.0\.1\/8" has host bits set/,
    );
  });
});

describe('outboundPolicy and configureOutboundPolicy', () => {
  const saved = process.env[OUTBOUND_ALLOW_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[OUTBOUND_ALLOW_ENV];
    else process.env[OUTBOUND_ALLOW_ENV] = saved;
    configureOutboundPolicy(null);
  });

  it('reads the environment once, on first use', () => {
    configureOutboundPolicy(null);
    process.env[OUTBOUND_ALLOW_ENV] = '10.1.0.0/16';
    const first = outboundPolicy();
    process.env[OUTBOUND_ALLOW_ENV] = '10.2.0.0/16';
    expect(outboundPolicy()).toBe(first);
    expect(texts(first)).toEqual(['10.1.0.0/16']);
  });

  it('is strict when nothing is set or configured', () => {
    delete process.env[OUTBOUND_ALLOW_ENV];
    configureOutboundPolicy(null);
    expect(outboundPolicy().allow).toEqual([]);
  });

  it('takes the local runtime default, an allowlist, or a policy', () => {
    delete process.env[OUTBOUND_ALLOW_ENV];
    expect(configureOutboundPolicy({ runtime: 'local' })).toBe(LOOPBACK_POLICY);
    expect(outboundPolicy()).toBe(LOOPBACK_POLICY);
    expect(texts(configureOutboundPolicy({ allowList: ['10.0.0.0/8', 'fd00::/8'] })!)).toEqual(['10.0.0.0/8', 'fd00::/8']);
    const policy = parseAllowList('192.168.0.0/16');
    configureOutboundPolicy({ policy });
    expect(outboundPolicy()).toBe(policy);
  });

  it('the local runtime default still honours STEWARD_OUTBOUND_ALLOW', () => {
    process.env[OUTBOUND_ALLOW_ENV] = 'none';
    expect(configureOutboundPolicy({ runtime: 'local' })!.allow).toEqual([]);
  });

  it('safeFetch uses it when no policy is passed', async () => {
    delete process.env[OUTBOUND_ALLOW_ENV];
    configureOutboundPolicy({ runtime: 'aws' });
    // Refused before any connection, so no server is needed to prove the default is applied.
    await expect(safeFetch('http://127.0.0.1:9/')).rejects.toBeInstanceOf(OutboundRefusedError);
    configureOutboundPolicy({ runtime: 'local' });
    await expect(safeFetch('http://127.0.0.1:9/', { timeoutMs: 2000 })).rejects.toMatchObject({ kind: 'connect' });
  });
});
