import { DURATION_PLACEHOLDERS, type LiteralOperand, type Operand, type PlaceholderOperand, type SubjectOperand } from './ast.ts';
import type { Subject } from './check-result.ts';
import { formatDuration, parseDurationMs } from '#kernel/duration';
import { lookup } from './json-path.ts';
import { parseNumber } from './number.ts';
import { booleanValue, MISSING, numberValue, textValue, type Value } from './value.ts';

/** What a placeholder, `len()` or `has()` reads from a check result. Never throws. */
export function resolveSubject(operand: SubjectOperand, subject: Subject): Value {
  switch (operand.kind) {
    case 'placeholder':
      return resolvePlaceholder(operand, subject);
    case 'len':
      return resolveLength(operand.target, subject);
    case 'has':
      return booleanValue(resolveTarget(operand.target, subject).found);
  }
}

/**
 * A plain value, read against what is on the other side: opposite `[RESPONSE_TIME]` or
 * `[CERTIFICATE_EXPIRATION]` a duration (`1s`, `48h`) counts as milliseconds.
 */
export function resolveLiteral(literal: LiteralOperand, opposite: Operand): Value {
  const { value } = literal;
  const number = isDurationPlaceholder(opposite) ? (parseNumber(value) ?? parseDurationMs(value)) : parseNumber(value);
  return textValue(value, number);
}

function isDurationPlaceholder(operand: Operand): boolean {
  return operand.kind === 'placeholder' && operand.path.length === 0 && DURATION_PLACEHOLDERS.includes(operand.name);
}

function resolvePlaceholder(operand: PlaceholderOperand, subject: Subject): Value {
  const { result } = subject;
  switch (operand.name) {
    case 'STATUS':
      return numberValue(result.status);
    case 'RESPONSE_TIME':
      return numberValue(result.responseTimeMs);
    case 'CONNECTED':
      return booleanValue(result.connected);
    case 'CERTIFICATE_EXPIRATION':
      // As in Gatus: no certificate counts as 0, so `> 48h` fails on plain HTTP.
      return result.certificateExpirationMs === undefined
        ? numberValue(0, 'no certificate')
        : numberValue(result.certificateExpirationMs, formatDuration(result.certificateExpirationMs));
    case 'BODY': {
      if (operand.path.length === 0) {
        // The whole body as text, whether or not it is JSON; a number when it spells one.
        return result.body === undefined ? MISSING : textValue(result.body, parseNumber(result.body.trim()));
      }
      const target = resolveTarget(operand, subject);
      return target.found ? jsonValue(target.value) : MISSING;
    }
  }
}

/** `len()`: an array's length; a string's length in characters; otherwise the length of the value written as JSON. */
function resolveLength(target: PlaceholderOperand, subject: Subject): Value {
  if (target.path.length === 0) {
    const { body } = subject.result;
    if (body === undefined) return MISSING;
    const json = subject.json();
    return numberValue(json.ok && Array.isArray(json.value) ? json.value.length : Array.from(body).length);
  }
  const found = resolveTarget(target, subject);
  if (!found.found) return MISSING;
  const { value } = found;
  if (Array.isArray(value)) return numberValue(value.length);
  if (typeof value === 'string') return numberValue(Array.from(value).length);
  return numberValue(JSON.stringify(value).length);
}

/** Whether `[BODY]` or a JSONPath under it is there, and what is there. */
function resolveTarget(target: PlaceholderOperand, subject: Subject): { found: true; value: unknown } | { found: false } {
  if (target.path.length === 0) return subject.result.body === undefined ? { found: false } : { found: true, value: subject.result.body };
  const json = subject.json();
  return json.ok ? lookup(json.value, target.path) : { found: false };
}

/** A JSON value found at a path: strings as they are, everything else as JSON (`true`, `null`, `[1,2]`). */
function jsonValue(value: unknown): Value {
  if (typeof value === 'string') return textValue(value, parseNumber(value));
  if (typeof value === 'number') return numberValue(value);
  return textValue(JSON.stringify(value), undefined);
}
