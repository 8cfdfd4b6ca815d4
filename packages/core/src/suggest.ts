import { distance } from 'fastest-levenshtein';

/** The largest Levenshtein distance at which {@link closestName} still suggests a name. */
export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * The known name a misspelt one most likely meant, for a "did you mean"
 * hint: the known name at the smallest Levenshtein edit distance (insertions,
 * deletions and substitutions of one UTF-16 code unit each, computed by the
 * `fastest-levenshtein` package) when that distance is at most
 * {@link MAX_SUGGESTION_DISTANCE}, else a known name that starts with the
 * received one or that the received one starts with (`work` → `workers`,
 * `gpujs2` → `gpujs`). Case counts (`Workers` is one edit from `workers`).
 * Ties go to the name listed first. Pure: works in browsers and Node alike.
 *
 * @param received the unknown name as the caller wrote it.
 * @param known the names that exist, in the order to prefer on a tie.
 * @returns the suggestion, or `undefined` when none is close (or `received` is empty or itself known).
 */
export function closestName(received: string, known: readonly string[]): string | undefined {
  if (typeof received !== 'string' || received === '' || known.includes(received)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(received, name);
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
