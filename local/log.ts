import type { StoredEvent } from '#kernel/store/event-log';
import type { RequestRecord } from '#local/server';

/**
 * What `npm start` prints while it runs: one line per request (method, path, status, time,
 * request id) and one per step of a deployment (its id, the step, the weights, the gate's
 * outcome). Readable columns on a terminal; one JSON object a line otherwise (piped to a file or
 * a log collector), with the same fields.
 */
export interface LocalLog {
  request(record: RequestRecord): void;
  event(event: StoredEvent): void;
}

export interface LocalLogOptions {
  /** JSON lines instead of text; by default JSON unless stdout is a terminal. */
  json?: boolean;
  /** Colours on a terminal. */
  color?: boolean;
  write?: (line: string) => void;
  now?: () => Date;
}

export interface DeploymentLine {
  deploymentId: string;
  service: string | null;
  event: string;
  status: string | null;
  /** 1-based; null before the first step. */
  step: number | null;
  weights: Record<string, number> | null;
  gate: 'passed' | 'failed' | null;
  message: string | null;
}

/** The fields of a deployment line, read from a committed `deployment.*` event; null for other events. */
export function deploymentLine(event: StoredEvent): DeploymentLine | null {
  if (!event.type.startsWith('deployment.')) return null;
  const after = (event.changes?.after ?? {}) as Record<string, unknown>;
  const step = typeof after.step === 'number' && after.step >= 0 ? after.step + 1 : null;
  const evidence = after.evidence as { passed?: unknown } | null | undefined;
  const gate =
    event.type === 'deployment.gate_evaluated' && typeof evidence?.passed === 'boolean' ? (evidence.passed ? 'passed' : 'failed') : null;
  return {
    deploymentId: event.subject.replace(/^deployment\//, ''),
    service: event.service ?? null,
    event: event.type,
    status: typeof after.status === 'string' ? after.status : null,
    step,
    weights: (after.weights as Record<string, number> | undefined) ?? null,
    gate,
    message: typeof after.message === 'string' ? after.message : null,
  };
}

const COLORS = { dim: '\u001b[2m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', reset: '\u001b[0m' };

export function createLocalLog(options: LocalLogOptions = {}): LocalLog {
  const json = options.json ?? !process.stdout.isTTY;
  const color = options.color ?? (!json && process.stdout.isTTY && !process.env.NO_COLOR);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const paint = (name: keyof typeof COLORS, text: string) => (color ? `${COLORS[name]}${text}${COLORS.reset}` : text);
  const clock = () => now().toISOString().slice(11, 23);
  const weightsText = (weights: Record<string, number> | null) =>
    weights
      ? Object.entries(weights)
          .map(([version, weight]) => `${version}=${weight}%`)
          .join(' ') || 'none'
      : '';

  return {
    request(record) {
      if (json) {
        // `time` says when; the arrival stamp is for tests that attribute requests.
        const { receivedAt: _receivedAt, ...fields } = record;
        write(JSON.stringify({ time: now().toISOString(), kind: 'request', ...fields }));
        return;
      }
      const status = String(record.status);
      const painted = record.status >= 500 ? paint('red', status) : record.status >= 400 ? paint('yellow', status) : paint('green', status);
      write(
        `${paint('dim', clock())}  ${record.method.padEnd(6)} ${record.path}  ${painted}  ${record.ms} ms  ${paint('dim', `${record.functionName} req ${record.requestId}`)}`,
      );
    },
    event(event) {
      const line = deploymentLine(event);
      if (!line) return;
      if (json) {
        write(JSON.stringify({ time: now().toISOString(), kind: 'deployment', ...line }));
        return;
      }
      const parts = [
        `${paint('dim', clock())}  ${paint('cyan', 'deploy')} ${line.deploymentId}${line.service ? ` ${line.service}` : ''}`,
        line.event.replace(/^deployment\./, ''),
        line.step === null ? '' : `step ${line.step}`,
        line.weights ? `weights ${weightsText(line.weights)}` : '',
        line.gate ? `gate ${line.gate === 'passed' ? paint('green', 'passed') : paint('red', 'failed')}` : '',
        line.message ? paint('dim', line.message) : '',
      ];
      write(parts.filter(Boolean).join('  '));
    },
  };
}
