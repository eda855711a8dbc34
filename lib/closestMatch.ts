/**
 * `closestMatch`: the candidate a mistyped word most likely meant, for "Did you mean …?" hints.
 *
 * Distance is the optimal string alignment distance (Levenshtein's insertions, deletions and
 * substitutions, plus swapping two adjacent letters), compared without case. A candidate is
 * close enough when the distance is at most half the longer word's length (at least 1):
 * `concurency` → `concurrency`, `timeout` → `timeoutMs`, `retries` → `retry`, but nothing for
 * `foo` or `priority`.
 */

/**
 * Edits (insert, delete, substitute, swap two adjacent characters) that turn `a` into `b`.
 * @example editDistance('concurency', 'concurrency'); // 1
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i]!;
    const previous = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `word` when it is close enough to be a likely typo; the first of
 * equally close candidates; undefined when none is close.
 * @example
 * closestMatch('concurency', ['storage', 'concurrency']); // 'concurrency'
 * closestMatch('foo', ['storage', 'concurrency']);        // undefined
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 2));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
