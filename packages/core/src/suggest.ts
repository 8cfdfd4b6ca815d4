/**
 * The Levenshtein edit distance between `a` and `b`: the fewest insertions,
 * deletions and substitutions of one UTF-16 code unit that turn one into the
 * other (Wagner and Fischer, "The String-to-String Correction Problem",
 * JACM 21(1), 1974), computed with two rows of the table: O(|a|·|b|) time,
 * O(|b|) memory. Written here because `core` depends on nothing; its tests
 * compare it with the `fastest-levenshtein` package.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      row.push(Math.min(substitution, previous[j] + 1, row[j - 1] + 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** The largest Levenshtein distance at which {@link closestName} still suggests a name. */
export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * The known name a misspelt one most likely meant, for a "did you mean"
 * hint: the known name at the smallest Levenshtein edit distance (insertions,
 * deletions and substitutions of one UTF-16 code unit each, {@link editDistance})
 * when that distance is at most
 * {@link MAX_SUGGESTION_DISTANCE}, else a known name that starts with the
 * received one or that the received one starts with (`work` → `workers`,
 * `gpujs2` → `gpujs`). A known name that differs only in letter case comes
 * first, at any distance (`REFERENCE` → `reference`, nine edits apart).
 * Ties go to the name listed first. Pure: works in browsers and Node alike.
 *
 * @param received the unknown name as the caller wrote it.
 * @param known the names that exist, in the order to prefer on a tie.
 * @returns the suggestion, or `undefined` when none is close (or `received` is empty or itself known).
 */
export function closestName(received: string, known: readonly string[]): string | undefined {
  if (typeof received !== 'string' || received === '' || known.includes(received)) return undefined;
  const lower = received.toLowerCase();
  const caseOnly = known.find((name) => name.toLowerCase() === lower);
  if (caseOnly !== undefined) return caseOnly;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    // A length difference is a lower bound of the distance: names too far apart in length are not compared
    // (which also keeps a very long name from costing length² here).
    if (Math.abs(name.length - received.length) > MAX_SUGGESTION_DISTANCE) continue;
    const d = editDistance(received, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= MAX_SUGGESTION_DISTANCE) return best;
  return known.find((name) => name.startsWith(received) || received.startsWith(name));
}

/** ` (did you mean "x"?)` for a suggestion, `''` for none: the suffix the typed errors append to their message. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
}
