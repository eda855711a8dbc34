/**
 * Durations as the CLI takes them: a number and a unit, `ms`, `s`, `m`, `h`, `d` (days) or `w`
 * (weeks): `30d`, `12h`, `1.5h`, `0s`. A bare number is refused, since `30` could be anything.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const DURATION_FORMS = 'a number and a unit (ms, s, m, h, d, w), such as 30d or 12h';

/**
 * The duration in milliseconds, or null when `text` is not one.
 * @example
 * parseDuration('30d'); // 2592000000
 * parseDuration('30');  // null
 */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
