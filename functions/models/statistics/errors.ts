/**
 * The one error the statistics core throws for bad input (a negative latency, a corrupt stored
 * sketch, an impossible policy). Callers map it to a 400 or a rejected telemetry batch; the message
 * says what was wrong and what is accepted, so it can be shown to the user as it is.
 */
export class StatisticsError extends Error {
  override readonly name = 'StatisticsError';
}

/** A short description of a value for error messages, safe for anything (never throws). */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
