/**
 * Durations as Gatus writes them: one or more `<number><unit>` with units `h`, `m`, `s`, `ms`
 * (`500ms`, `1s`, `48h`, `1h30m`, `1.5s`). Conditions compare them in milliseconds.
 */

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
/** `ms` before `m`, so `500ms` is not read as 500 minutes followed by `s`. */
const COMPONENT = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/** Milliseconds in a duration such as `1h30m`, or undefined when the text is not one. A bare number is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '') return undefined;
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
