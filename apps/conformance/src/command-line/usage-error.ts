/** Exit codes of the conformance CLI (README "Exit codes"). */
export const EXIT_CODES = {
  /** Every case checked passed (skips allowed), and at least one check ran. */
  passed: 0,
  /** At least one conformance check failed. */
  failed: 1,
  /** Bad command line, bad case file, or a run that checked nothing. */
  usage: 2,
} as const;

/**
 * A problem with what the user asked for (a flag, an environment variable, a
 * case file, a selection that matches nothing), found before or instead of a
 * conformance result. The CLI prints its one-line message and exits
 * {@link EXIT_CODES.usage}, without a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
