import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../functions/deployments/tasks.ts';

/** statemachines/deployment.asl.json: valid, inside the subset both engines run (docs/architecture.md §2), and wired for rollback. */

const DEFINITION_URL = new URL('../../statemachines/deployment.asl.json', import.meta.url);
const text = readFileSync(DEFINITION_URL, 'utf8');

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
}
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Retry?: Retrier[];
  Catch?: Catcher[];
  [field: string]: unknown;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  [field: string]: unknown;
}

/** A fresh copy each time: asl-validator writes a QueryLanguage into every state it checks. */
const definition = (): Definition => JSON.parse(text) as Definition;
const tasks = () => Object.entries(definition().States).filter(([, state]) => state.Type === 'Task');
const ROLLBACK_PATH = new Set(['RollBack', 'MarkFailed']);

/** Every key anywhere in the definition. */
function keysIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      found.add(key);
      keysIn(inner, found);
    }
  }
  return found;
}

function successors(state: State): string[] {
  return [
    state.Next,
    state.Default,
    ...(state.Choices ?? []).map((choice) => choice.Next),
    ...(state.Catch ?? []).map((catcher) => catcher.Next),
  ].filter((name): name is string => typeof name === 'string');
}

describe('the deployment state machine definition', () => {
  it('is valid Amazon States Language per asl-validator', () => {
    // Act
    const result = aslValidator(definition());

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses JSONPath only: no JSONata, no Variables, no Arguments or Output', () => {
    // Prepare
    const raw = definition();

    // Act
    const keys = keysIn(raw);

    // Assess
    expect(raw.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const field of ['QueryLanguage', 'Assign', 'Arguments', 'Output', 'Variables']) expect(keys.has(field), field).toBe(false);
    expect(text).not.toMatch(/\{%/);
    expect(text).not.toMatch(/\$states\./);
  });

  it('waits for no task token: approval and bakes are Waits on a timestamp the tasks compute', () => {
    // Prepare
    const states = Object.entries(definition().States);

    // Act
    const waits = states.filter(([, state]) => state.Type === 'Wait');

    // Assess
    expect(text).not.toMatch(/waitForTaskToken/);
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, wait] of waits) {
      expect(wait.TimestampPath, name).toBe('$.waitUntil');
      expect(wait.Seconds ?? wait.SecondsPath ?? wait.Timestamp, name).toBeUndefined();
    }
  });

  it('invokes each task through a ${…FunctionArn} substitution named after its state, one per local task handler', () => {
    // Act
    const resources = tasks().map(([name, state]) => ({ name, resource: state.Resource }));

    // Assess
    for (const { name, resource } of resources) expect(resource, name).toBe(`\${${name}FunctionArn}`);
    expect(resources.map(({ name }) => name).sort()).toEqual(Object.keys(TASKS).sort());
  });

  it('retries transient errors in every Task, and only transient ones in the steps that move a deployment on', () => {
    // Act
    const all = tasks();

    // Assess
    for (const [name, state] of all) {
      expect(state.Retry?.length ?? 0, `${name} has no Retry`).toBeGreaterThan(0);
      const matched = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      if (ROLLBACK_PATH.has(name)) {
        expect(matched, name).toContain('States.ALL');
      } else {
        expect(matched, name).toContain('TransientError');
        // A finished deployment or a refused router must not be retried.
        expect(matched, name).not.toContain('States.ALL');
      }
    }
  });

  it('catches every error of every Task before the rollback into RollBack, keeping the input and the error', () => {
    // Act
    const forward = tasks().filter(([name]) => !ROLLBACK_PATH.has(name));

    // Assess
    expect(forward.length).toBeGreaterThanOrEqual(5);
    for (const [name, state] of forward) {
      const catchAll = (state.Catch ?? []).find((catcher) => catcher.ErrorEquals.includes('States.ALL'));
      expect(catchAll, `${name} has no Catch of States.ALL`).toBeDefined();
      expect(catchAll?.Next, name).toBe('RollBack');
      expect(catchAll?.ResultPath, name).toBe('$.error');
    }
  });

  it('sends a failed rollback to MarkFailed, which ends in a Fail state', () => {
    // Prepare
    const states = definition().States;

    // Act
    const rollBackCatch = states.RollBack?.Catch?.find((catcher) => catcher.ErrorEquals.includes('States.ALL'));

    // Assess
    expect(rollBackCatch?.Next).toBe('MarkFailed');
    expect(rollBackCatch?.ResultPath).toBe('$.error');
    expect(states.RollBack?.Next).toBe('Done');
    expect(states[states.MarkFailed?.Next ?? '']?.Type).toBe('Fail');
  });

  it('routes a failed gate and an expired approval to RollBack, and gives every Choice a Default', () => {
    // Prepare
    const states = definition().States;

    // Act
    const choices = Object.entries(states).filter(([, state]) => state.Type === 'Choice');

    // Assess
    for (const [name, choice] of choices) expect(choice.Default, name).toBeDefined();
    expect(states.GateDecision?.Choices).toContainEqual(
      expect.objectContaining({ Variable: '$.verdict', StringEquals: 'failed', Next: 'RollBack' }),
    );
    expect(states.ApprovalDecision?.Default).toBe('RollBack');
  });

  it('reaches every state from StartAt, and every transition names a state', () => {
    // Prepare
    const { StartAt, States } = definition();
    const seen = new Set<string>();
    const queue = [StartAt];

    // Act
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const state = States[name];
      expect(state, `transition to a missing state ${name}`).toBeDefined();
      queue.push(...successors(state as State));
    }

    // Assess
    expect([...seen].sort()).toEqual(Object.keys(States).sort());
  });
});
