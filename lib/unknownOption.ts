/**
 * Unknown option keys: a misspelt option (`createEngine({ concurency: 4 })`) would otherwise be
 * ignored without a word. Each function that takes an options object lists the keys it knows
 * (typed, so that adding an option to the interface without listing it fails to compile) and
 * refuses any other key, naming it and the known key it most likely meant.
 */
import { closestMatch } from './closestMatch.js';
import { InvalidOptionsError } from './errors.js';

/** The first key of an options object that is not a known one, and the known key closest to it. */
export interface UnknownOption {
  readonly key: string;
  readonly suggestion: string | undefined;
}

/**
 * The keys of an options interface, as a list checked by the compiler: every key of `T` must be
 * given, and nothing else.
 * @example const EXECUTE_OPTION_KEYS = optionKeys<ExecuteOptions>({ concurrency: true, failurePolicy: true, signal: true });
 */
export function optionKeys<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/**
 * The first own key of `options` that is not in `known`, or undefined. A value that is not an
 * object has no keys (its own validation reports it).
 * @example findUnknownOption({ concurency: 4 }, ['concurrency']); // { key: 'concurency', suggestion: 'concurrency' }
 */
export function findUnknownOption(options: unknown, known: readonly string[]): UnknownOption | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  const key = Object.keys(options).find((candidate) => !known.includes(candidate));
  return key === undefined ? undefined : { key, suggestion: closestMatch(key, known) };
}

/**
 * The hint about an unknown key, as a clause: the closest known key, else the known ones.
 * @example
 * describeSuggestion({ key: 'concurency', suggestion: 'concurrency' }, known); // 'did you mean concurrency?'
 * describeSuggestion({ key: 'foo', suggestion: undefined }, ['a', 'b']);       // 'known options: a, b'
 */
export function describeSuggestion(unknown: UnknownOption, known: readonly string[], prefix = ''): string {
  if (unknown.suggestion !== undefined) return `did you mean ${prefix}${unknown.suggestion}?`;
  return `known options: ${known.map((key) => prefix + key).join(', ')}`;
}

/** A key as written in a message: bare when it reads as an identifier, else quoted. */
export function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

/**
 * Throws an `InvalidOptionsError` for the first key of `options` not in `known`.
 * @param where the function the options were given to, as the message names it (`createEngine`)
 * @param prefix written before the keys, for nested options (`retry.`)
 * @example
 * rejectUnknownOptions({ concurency: 4 }, ENGINE_OPTION_KEYS, 'createEngine');
 * // InvalidOptionsError: Unknown option concurency of createEngine. Did you mean concurrency?
 */
export function rejectUnknownOptions(options: unknown, known: readonly string[], where: string, prefix = ''): void {
  const unknown = findUnknownOption(options, known);
  if (unknown === undefined) return;
  const option = prefix + unknown.key;
  throw new InvalidOptionsError(option, (options as Record<string, unknown>)[unknown.key], `one of ${known.map((key) => prefix + key).join(', ')}`, {
    message: `Unknown option ${prefix}${formatKey(unknown.key)} of ${where}. ${asSentence(describeSuggestion(unknown, known, prefix))}`,
    suggestion: unknown.suggestion === undefined ? undefined : prefix + unknown.suggestion,
  });
}

function asSentence(clause: string): string {
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}${clause.endsWith('?') ? '' : '.'}`;
}
