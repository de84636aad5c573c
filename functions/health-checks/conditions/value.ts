/**
 * A resolved operand: missing (a JSONPath that is not there, a body that never came), or a value
 * with its text, its number when it is one, and how a result shows it.
 */
export type Value = { present: false } | { present: true; text: string; number: number | undefined; display: string };

export const MISSING: Value = { present: false };

/** Longest value shown in a result's "why" before it is cut. */
export const MAX_DISPLAY_LENGTH = 64;

/** A value as shown in a result: control characters (line breaks, tabs) as spaces, and cut when long. */
export function displayText(text: string): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ');
  const characters = Array.from(flat);
  return characters.length > MAX_DISPLAY_LENGTH ? `${characters.slice(0, MAX_DISPLAY_LENGTH).join('')}...(truncated)` : flat;
}

export function textValue(text: string, number: number | undefined, display = displayText(text)): Value {
  return { present: true, text, number, display };
}

export function numberValue(number: number, display = String(number)): Value {
  return { present: true, text: String(number), number, display };
}

export function booleanValue(value: boolean): Value {
  return { present: true, text: String(value), number: undefined, display: String(value) };
}
