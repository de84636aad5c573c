import tls from 'node:tls';
import { type AddressPolicy, LOOPBACK_POLICY, parseAllowList, STRICT_POLICY } from './address-policy.ts';

/**
 * How the outbound address policy is chosen, once per process (docs/architecture.md §6).
 *
 * - On AWS nothing calls `configureOutboundPolicy`, so the first `outboundPolicy()` reads
 *   `STEWARD_OUTBOUND_ALLOW` and is strict when it is unset: failing closed is the safe default
 *   for a Lambda inside someone's VPC.
 * - The local runtime calls `configureOutboundPolicy({ runtime: 'local' })`: loopback is allowed
 *   unless `STEWARD_OUTBOUND_ALLOW` says otherwise, because the services people try Steward with
 *   run on their own machine (the start-up banner says so).
 * - Tests pass `{ allowList: '...' }` or `{ policy }`, and `null` to go back to reading the env.
 */

export const OUTBOUND_ALLOW_ENV = 'STEWARD_OUTBOUND_ALLOW';

export type OutboundRuntime = 'aws' | 'local';

/**
 * The policy the environment asks for. A set `STEWARD_OUTBOUND_ALLOW` (even empty) replaces the
 * runtime's default entirely, so an operator can make the local runtime strict (`none`) or widen
 * AWS to a peered range; an invalid entry throws, naming it.
 */
export function policyFromEnvironment(runtime: OutboundRuntime, env: NodeJS.ProcessEnv = process.env): AddressPolicy {
  const setting = env[OUTBOUND_ALLOW_ENV];
  if (setting !== undefined) {
    try {
      return parseAllowList(setting);
    } catch (error) {
      throw new Error(`${OUTBOUND_ALLOW_ENV}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return runtime === 'local' ? LOOPBACK_POLICY : STRICT_POLICY;
}

let current: AddressPolicy | undefined;

/** The process's policy; read from the environment on first use (strict unless STEWARD_OUTBOUND_ALLOW is set). */
export function outboundPolicy(): AddressPolicy {
  current ??= policyFromEnvironment('aws');
  return current;
}

export type OutboundPolicySetting =
  | { runtime: OutboundRuntime }
  /** Allowlist text as in STEWARD_OUTBOUND_ALLOW, or its entries. */
  | { allowList: string | readonly string[] }
  | { policy: AddressPolicy };

/** Installs the policy for this process; `null` forgets it so the next `outboundPolicy()` reads the env again. */
export function configureOutboundPolicy(setting: OutboundPolicySetting | null): AddressPolicy | undefined {
  if (setting === null) current = undefined;
  else if ('runtime' in setting) current = policyFromEnvironment(setting.runtime);
  else if ('policy' in setting) current = setting.policy;
  else current = parseAllowList(typeof setting.allowList === 'string' ? setting.allowList : setting.allowList.join(','));
  return current;
}

/**
 * Extra CA certificates trusted for https targets, on top of Node's default roots.
 *
 * Operators need nothing from Steward for this: Node reads `NODE_EXTRA_CA_CERTS` (a PEM file) at
 * start-up and adds it to the default roots every https request uses. This is the in-process
 * equivalent for whoever starts a CA after the process did (tests, embedders): the certificates
 * given here are trusted in addition to the defaults (those include `NODE_EXTRA_CA_CERTS`), by
 * every `safeFetch` that does not pass its own `ca`. `null` forgets them.
 */
let extraCa: readonly string[] = [];
let trusted: string[] | undefined;

export function configureOutboundTrust(setting: { extraCaCertificates: readonly string[] } | null): void {
  extraCa = setting ? [...setting.extraCaCertificates] : [];
  trusted = undefined;
}

/** The CA list https requests trust, or undefined for Node's defaults (no extra certificates configured). */
export function outboundCa(): string[] | undefined {
  if (extraCa.length === 0) return undefined;
  if (!trusted) {
    // `getCACertificates('default')` (Node 22.15+) includes NODE_EXTRA_CA_CERTS; older Nodes have the bundled roots only.
    const defaults = typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : tls.rootCertificates;
    trusted = [...defaults, ...extraCa];
  }
  return trusted;
}
