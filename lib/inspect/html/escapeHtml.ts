/**
 * Escaping for the HTML report. Everything the report shows that came from a user (task ids,
 * outputs, errors, reasons) passes through `escapeHtml`, in text and in attribute values alike
 * (attributes are always double-quoted), so `<script>`, quotes and `&` are inert. Unicode is kept:
 * the report is UTF-8 and says so.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** At most `max` characters (code points, so no emoji is cut in half), with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** A duration for people: `850 ms`, `12.4 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A fixed-precision number for SVG coordinates. */
export function num(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
