import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Conv1x1Geometry } from '../geometry.js';
import { POINTWISE_CORE_VERSION, fingerprintKey, type EnvironmentFingerprint } from './fingerprint.js';

/** One remembered decision: for this problem, candidate set and environment, this configuration was fastest. */
export interface WisdomEntry {
  /** {@link problemKey} of the geometry. */
  readonly problem: string;
  /** The candidate configurations measured, canonical strings in selection order. */
  readonly candidates: readonly string[];
  readonly fingerprint: EnvironmentFingerprint;
  /** Version of `@pointwise/core` that measured it. */
  readonly version: string;
  /** The configuration chosen. */
  readonly choice: string;
  /** Median time per run of each measured candidate, milliseconds. */
  readonly medianMs: Readonly<Record<string, number>>;
  /** ISO 8601 time of the measurement. */
  readonly measuredAt: string;
}

/** What {@link Wisdom.import} did with a file: how many entries it took and why it ignored the others. */
export interface WisdomImportReport {
  readonly accepted: number;
  readonly ignored: readonly { readonly problem: string; readonly reason: string }[];
}

/** Serialised wisdom: `{ format, entries }`. */
export interface WisdomFile {
  readonly format: 'pointwise-wisdom-1';
  readonly entries: readonly WisdomEntry[];
}

const FORMAT = 'pointwise-wisdom-1';
const WISDOM_MARKER = Symbol.for('@pointwise/core.wisdom');

/**
 * The key of a problem: everything in the geometry that can change which
 * backend is fastest (shapes, stride, padding, groups, layouts, activation
 * kind, bias).
 */
export function problemKey(g: Conv1x1Geometry): string {
  return [
    `${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth}`,
    `co${g.outChannels}`,
    `g${g.groups}`,
    `s${g.strideH}.${g.strideW}`,
    `p${g.padTop}.${g.padLeft}.${g.padBottom}.${g.padRight}`,
    `${g.inputLayout}>${g.outputLayout}`,
    g.activation.kind,
    g.hasBias ? 'bias' : 'nobias',
  ].join(' ');
}

function entryKey(problem: string, candidates: readonly string[], fingerprint: EnvironmentFingerprint): string {
  // JSON, not a join: configurations contain commas (`workers[kernel=js,threads=2]`), so a joined
  // list could match another list cut elsewhere.
  return JSON.stringify([problem, candidates, fingerprintKey(fingerprint)]);
}

function isFingerprint(value: unknown): value is EnvironmentFingerprint {
  const f = value as Record<string, unknown> | null;
  return typeof f === 'object' && f !== null && ['runtime', 'platform', 'cpu', 'gpu'].every((k) => typeof f[k] === 'string') && typeof f.cores === 'number';
}

/**
 * Why an entry is malformed, or null: string problem and choice, distinct
 * string candidates that include the choice, a fingerprint, and medians that
 * are finite, non-negative milliseconds of listed candidates only (a file
 * cannot slip in a negative, NaN or string median).
 */
function malformed(e: Partial<WisdomEntry> | null): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  if (typeof e.problem !== 'string' || typeof e.choice !== 'string') return 'problem and choice must be strings';
  if (!Array.isArray(e.candidates) || !e.candidates.every((c) => typeof c === 'string')) return 'candidates must be distinct strings';
  // A set, not `includes` per median: a file of 60,000 candidates and medians took 5 s (quadratic).
  const candidates = new Set<string>(e.candidates);
  if (candidates.size !== e.candidates.length) return 'candidates must be distinct strings';
  if (!candidates.has(e.choice)) return 'the choice is not among the candidates';
  if (typeof e.version !== 'string') return 'version must be a string';
  if (e.measuredAt !== undefined && typeof e.measuredAt !== 'string') return 'measuredAt must be an ISO 8601 string';
  if (!isFingerprint(e.fingerprint)) return 'no environment fingerprint';
  const m = e.medianMs as unknown;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'medianMs must be an object';
  for (const [configuration, ms] of Object.entries(m)) {
    if (!candidates.has(configuration)) return `a median for ${describeValue(configuration)}, which is not a candidate`;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return `the median of ${describeValue(configuration)} is ${describeValue(ms)}, not a time in milliseconds`;
  }
  return null;
}

/** A string cut to a length that keeps a report readable. */
function short(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A frozen copy that shares nothing with the caller's object. */
function frozenEntry(e: WisdomEntry): WisdomEntry {
  return Object.freeze({
    problem: e.problem,
    candidates: Object.freeze([...e.candidates]),
    fingerprint: Object.freeze({ ...e.fingerprint }),
    version: e.version,
    choice: e.choice,
    medianMs: Object.freeze(Object.fromEntries(Object.entries(e.medianMs))),
    measuredAt: String(e.measuredAt ?? ''),
  });
}

function sameFingerprint(a: EnvironmentFingerprint, b: EnvironmentFingerprint): boolean {
  return fingerprintKey(a) === fingerprintKey(b);
}

/**
 * Remembered planner decisions ("wisdom", after FFTW's planner), kept in
 * memory. Decisions are keyed by problem, candidate set and environment
 * fingerprint; `export()` / `import()` move them through JSON, and an import
 * takes only entries made by this library version in this environment,
 * reporting why it ignored the others.
 */
export class Wisdom {
  readonly [WISDOM_MARKER] = true;
  readonly #entries = new Map<string, WisdomEntry>();
  readonly #fingerprint: EnvironmentFingerprint;

  /** @param fingerprint the environment this wisdom serves (default: {@link environmentFingerprint} at first use). */
  constructor(fingerprint: EnvironmentFingerprint) {
    this.#fingerprint = fingerprint;
  }

  /** True for a Wisdom, also one made by another copy of this package (`instanceof` would say false). */
  static isInstance(value: unknown): value is Wisdom {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[WISDOM_MARKER] === true;
  }

  /** The environment this wisdom is for. */
  get fingerprint(): EnvironmentFingerprint {
    return this.#fingerprint;
  }

  /** Number of remembered decisions. */
  get size(): number {
    return this.#entries.size;
  }

  /** The remembered decision for a problem and candidate set here, if any. */
  lookup(problem: string, candidates: readonly string[]): WisdomEntry | undefined {
    return this.#entries.get(entryKey(problem, candidates, this.#fingerprint));
  }

  /**
   * Remembers a decision made here (replacing an earlier one for the same key).
   * @throws {InvalidArgumentError} when the entry's fingerprint or version is not this environment's.
   */
  remember(entry: WisdomEntry): void {
    const problem = malformed(entry);
    if (problem !== null) throw new InvalidArgumentError('entry', `a wisdom entry (${problem})`, entry);
    if (!sameFingerprint(entry.fingerprint, this.#fingerprint)) {
      throw new InvalidArgumentError('entry.fingerprint', fingerprintKey(this.#fingerprint), fingerprintKey(entry.fingerprint));
    }
    if (entry.version !== POINTWISE_CORE_VERSION) throw new InvalidArgumentError('entry.version', POINTWISE_CORE_VERSION, entry.version);
    this.#entries.set(entryKey(entry.problem, entry.candidates, entry.fingerprint), frozenEntry(entry));
  }

  /** Forgets every decision. */
  clear(): void {
    this.#entries.clear();
  }

  /** Every decision as JSON ({@link WisdomFile}). */
  export(): string {
    const file: WisdomFile = { format: FORMAT, entries: [...this.#entries.values()] };
    return JSON.stringify(file, null, 2);
  }

  /**
   * Takes the decisions of a JSON file made by {@link export}. Entries of
   * another fingerprint, another library version, or malformed ones are
   * ignored, each with its reason; nothing is trusted blindly.
   * @throws {InvalidArgumentError} when `json` is not a wisdom file at all.
   */
  import(json: string): WisdomImportReport {
    let file: unknown;
    try {
      file = JSON.parse(json);
    } catch (error) {
      throw new InvalidArgumentError('wisdom', 'a JSON wisdom file', `${(error as Error).message}`);
    }
    const f = file as Partial<WisdomFile> | null;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) {
      throw new InvalidArgumentError('wisdom', `a wisdom file { format: "${FORMAT}", entries: [...] }`, f === null ? null : Array.isArray(f) ? 'an array' : typeof f);
    }
    if (f.format !== FORMAT) throw new InvalidArgumentError('wisdom.format', JSON.stringify(FORMAT), f.format === undefined ? 'no format' : f.format);
    if (!Array.isArray(f.entries)) throw new InvalidArgumentError('wisdom.entries', 'an array of entries', f.entries === undefined ? 'no entries' : typeof f.entries);
    let accepted = 0;
    const ignored: { problem: string; reason: string }[] = [];
    for (const raw of f.entries as unknown[]) {
      const e = raw as Partial<WisdomEntry>;
      // Reported problems are summarised: a file cannot make the report huge.
      const problem = typeof e?.problem === 'string' ? short(e.problem) : '(malformed)';
      const why = malformed(e);
      if (why !== null) {
        ignored.push({ problem, reason: `malformed entry: ${why}` });
      } else if (e.version !== POINTWISE_CORE_VERSION) {
        ignored.push({ problem, reason: `made by version ${typeof e.version === 'string' && e.version.length <= 40 ? e.version : describeValue(e.version)}, this is ${POINTWISE_CORE_VERSION}` });
      } else if (!sameFingerprint(e.fingerprint!, this.#fingerprint)) {
        ignored.push({ problem, reason: `made for another environment (${short(fingerprintKey(e.fingerprint!))})` });
      } else {
        this.remember({ ...(e as WisdomEntry), measuredAt: String(e.measuredAt ?? '') });
        accepted++;
      }
    }
    return { accepted, ignored };
  }
}
