/**
 * The page's "main thread" column: what a configuration's run does to the thread that calls it —
 * the page's main thread, whose painting and input wait while it is busy. The value is core's
 * `callingThreadUse` (`details.callingThread` on bench rows, `callingThread` on conformance
 * statuses); peers and loaded files without it show a dash.
 */
const LABELS: Readonly<Record<string, string>> = {
  blocked: 'blocked for the whole run',
  shared: 'computes a share',
  free: 'free (awaits other threads)',
  undeclared: 'undeclared',
};

/** The label of a `callingThread` value; `—` when absent, the raw value when unknown to this page. */
export function callingThreadLabel(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return LABELS[String(value)] ?? String(value);
}
