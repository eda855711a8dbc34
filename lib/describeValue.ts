/**
 * `describeValue`: a short, readable rendering of any value, for error messages.
 *
 * It reads like JSON where JSON is exact (strings quoted, objects as `{"key":value}`), and says
 * what JSON would hide: `NaN`, `Infinity` and `-Infinity` (JSON writes `null`), `undefined` (JSON
 * drops it, or writes `null` in an array), symbols, BigInts (`12n`), functions, dates, maps,
 * sets, errors, class instances (`AbortController {}`) and cycles. Nested values are rendered the
 * same way, a few levels deep and a few entries wide; the whole text is cut at 200 characters.
 */

/** Longest rendering, in characters, before it is cut with `…`. */
const MAX_LENGTH = 200;
/** Containers nested deeper than this are shown as `{…}` or `[…]`. */
const MAX_DEPTH = 3;
/** Entries shown per object, array, map or set before `…`. */
const MAX_ENTRIES = 10;

/**
 * A short, readable rendering of any value for error messages.
 * @example
 * describeValue(Number.NaN);                 // 'NaN'
 * describeValue({ maxAttempts: Infinity });  // '{"maxAttempts":Infinity}'
 * describeValue([undefined, Symbol('s')]);   // '[undefined,Symbol(s)]'
 * describeValue('4');                        // '"4"'
 */
export function describeValue(value: unknown): string {
  const text = typeof value === 'function' ? 'a function' : render(value, 0, new Set());
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}

/**
 * A list of values for a message, each rendered by {@link describeValue}: the first `max`,
 * comma-separated, then how many more there are.
 * @example
 * describeValues(['a', 'b']);            // '"a", "b"'
 * describeValues(['a', 'b', 'c', 'd'], 2); // '"a", "b" and 2 more'
 * describeValues([]);                    // 'none'
 */
export function describeValues(values: readonly unknown[], max = 10): string {
  if (values.length === 0) return 'none';
  const shown = values.slice(0, max).map(describeValue).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

function render(value: unknown, depth: number, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
    case 'symbol':
      return String(value);
    case 'function':
      return value.name ? `[function ${value.name}]` : '[function]';
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object)) return '[circular]';
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : `Date(${object.toISOString()})`;
  if (object instanceof Error) return `${object.name}(${JSON.stringify(object.message)})`;
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[…]' : '{…}';
  ancestors.add(object);
  try {
    const inner = (entry: unknown) => render(entry, depth + 1, ancestors);
    if (Array.isArray(object)) return `[${list(object, inner)}]`;
    if (object instanceof Map) return `Map(${object.size}) {${list([...object], ([key, entry]) => `${inner(key)} => ${inner(entry)}`)}}`;
    if (object instanceof Set) return `Set(${object.size}) {${list([...object], inner)}}`;
    const fields = `{${list(Object.entries(object), ([key, entry]) => `${JSON.stringify(key)}:${inner(entry)}`)}}`;
    const constructorName = className(object);
    return constructorName === null ? fields : `${constructorName} ${fields}`;
  } finally {
    ancestors.delete(object);
  }
}

/** At most `MAX_ENTRIES` rendered entries, comma-separated, then `…` if there are more. */
function list<T>(entries: readonly T[], renderEntry: (entry: T) => string): string {
  const shown = entries.slice(0, MAX_ENTRIES).map(renderEntry);
  if (entries.length > MAX_ENTRIES) shown.push('…');
  return shown.join(',');
}

/** The class of an object that is not a plain object (or null for `{}` and `Object.create(null)`). */
function className(object: object): string | null {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === null || prototype === Object.prototype) return null;
  const constructor: unknown = (prototype as { constructor?: unknown }).constructor;
  return typeof constructor === 'function' && constructor.name ? constructor.name : null;
}
