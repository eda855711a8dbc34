/**
 * Escaping of user text (task ids, reasons, labels) for the text formats the inspector writes.
 * Every function here is total: any string, including quotes, `<script>`, newlines and astral
 * unicode, comes out as inert text of the target format.
 */

/**
 * Text for a Mermaid label (inside `["..."]`, after `:` of a transition, or in a note). Mermaid
 * decodes `#<code>;` entities, so every character other than letters, digits, space and a few safe
 * punctuation marks is written as one; letters and digits of any script stay readable.
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const char of text) {
    out += /[\p{L}\p{N} _.,:()[\]\-/*+=@!?]/u.test(char) ? char : `#${char.codePointAt(0)};`;
  }
  return out;
}

/** Keywords of DOT and Mermaid that cannot be bare identifiers (compared lower-cased). */
const RESERVED = new Set(['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict', 'end', 'state', 'note', 'class', 'classdef', 'click', 'style', 'direction', 'default', 'flowchart', 'linkstyle']);

/**
 * An identifier safe in Mermaid and DOT: `[A-Za-z0-9_]`, not starting with a digit, not a keyword.
 * Different texts may give the same identifier: use {@link createIdAllocator} to keep them apart.
 */
export function safeIdentifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) && !RESERVED.has(id.toLowerCase()) ? id : `s_${id}`;
}

/** A DOT double-quoted string, quotes included. Newlines become DOT's `\n` line breaks. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * Allocates unique safe identifiers: `allocate(key, preferred)` returns the same id for the same
 * key, never the same id for two keys, and `safeIdentifier(preferred)` when it is still free.
 */
export function createIdAllocator(): (key: string, preferred?: string) => string {
  const byKey = new Map<string, string>();
  const used = new Set<string>();
  return (key, preferred = key) => {
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const base = safeIdentifier(preferred);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    byKey.set(key, id);
    return id;
  };
}
