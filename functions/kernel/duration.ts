/**
 * The one duration grammar of Steward, as Gatus writes durations: one or more `<number><unit>`
 * with units `d`, `h`, `m`, `s`, `ms` (`500ms`, `1s`, `48h`, `1h30m`, `1.5s`, `7d`). Health-check
 * conditions compare them in milliseconds; alert windows, `for` and metric steps use whole seconds.
 */

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
/** `ms` before `m`, so `500ms` is not read as 500 minutes followed by `s`. */
const COMPONENT = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;
/** Long enough for any duration a person writes; a longer text is refused before it is scanned. */
const MAX_DURATION_LENGTH = 64;

/** Milliseconds in a duration such as `1h30m`, or undefined when the text is not one. A bare number is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '' || text.length > MAX_DURATION_LENGTH) return undefined;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    COMPONENT.lastIndex = index;
    const match = COMPONENT.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    index = COMPONENT.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Whole seconds in a duration (`30s`, `5m`, `1h30m`, `1d`), or undefined when it is not one or has a fraction of a second. */
export function parseDurationSeconds(text: string): number | undefined {
  const ms = parseDurationMs(text.trim());
  return ms !== undefined && ms % 1000 === 0 ? ms / 1000 : undefined;
}

/** Milliseconds written as a duration a person reads: `48h`, `1h30m`, `2m5s`, `250ms`, `0s`, `-3h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let text = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return sign + text;
}
