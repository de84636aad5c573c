// Reads x-sunset dates: the day after which a deprecated operation or parameter may be removed.
// Dates are compared as whole UTC days, like oasdiff: on the sunset day itself removal is allowed.

const DAY_MS = 24 * 60 * 60 * 1000;

export type Sunset = { kind: 'none' } | { kind: 'invalid'; raw: string } | { kind: 'date'; day: number; text: string };

/** `YYYY-MM-DD` or an RFC 3339 date-time; anything else is invalid (and reported, never guessed). */
export function parseSunset(value: unknown): Sunset {
  if (value === undefined || value === null) return { kind: 'none' };
  const raw = typeof value === 'string' ? value.trim() : JSON.stringify(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/.exec(raw);
  if (typeof value !== 'string' || !match) return { kind: 'invalid', raw };
  const [, year, month, date] = match;
  const day = Date.UTC(Number(year), Number(month) - 1, Number(date));
  const check = new Date(day);
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(date)) return { kind: 'invalid', raw };
  const instant = match[4] === undefined ? day : Date.parse(raw);
  if (Number.isNaN(instant)) return { kind: 'invalid', raw };
  const utcDay = Math.floor(instant / DAY_MS) * DAY_MS;
  return { kind: 'date', day: utcDay, text: new Date(utcDay).toISOString().slice(0, 10) };
}

/** The UTC day of an instant, as the epoch milliseconds of its midnight. */
export function dayOf(now: Date): number {
  return Math.floor(now.getTime() / DAY_MS) * DAY_MS;
}

export function addDays(day: number, days: number): number {
  return day + days * DAY_MS;
}

export function formatDay(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}
