import { describe, expect, it } from 'vitest';
import { BackendRegistry, InvalidArgumentError, UnknownBackendError, assertKnownKeys, prepareConv1x1, registerReferenceBackend } from '../src/index.js';
import { distance } from 'fastest-levenshtein';
import { closestName, editDistance } from '../src/suggest.js';

const NAMES = ['reference', 'cpu-tiled', 'workers', 'gpujs'];

describe('editDistance', () => {
  it('equals the fastest-levenshtein package on closed-form cases and 2,000 random pairs', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3); // Levenshtein's classic example
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    let state = 12345;
    const random = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const word = () => Array.from({ length: random(12) }, () => 'abcd-[]='[random(8)]).join('');
    for (let i = 0; i < 2000; i++) {
      const a = word();
      const b = word();
      expect(editDistance(a, b)).toBe(distance(a, b));
    }
  });
});

describe('closestName (the "did you mean" of unknown backend names and option keys)', () => {
  it('suggests the name at the smallest edit distance when it is at most 2', () => {
    expect(closestName('cpu-tild', NAMES)).toBe('cpu-tiled'); // one deletion
    expect(closestName('wrokers', NAMES)).toBe('workers'); // a transposition is two substitutions
    expect(closestName('gpu.js', NAMES)).toBe('gpujs'); // one insertion
    expect(closestName('Workers', NAMES)).toBe('workers'); // case counts as one substitution
    expect(closestName('therads', ['mode', 'threads', 'kernel'])).toBe('threads');
    expect(closestName('ab', ['ax', 'ay'])).toBe('ax'); // a tie goes to the first listed
  });

  it('suggests a prefix either way past distance 2, and nothing for a far, empty or known name', () => {
    expect(closestName('ref', NAMES)).toBe('reference'); // distance 6, but a prefix
    expect(closestName('reference-f64', NAMES)).toBe('reference'); // distance 4, starts with a known name
    expect(closestName('cuda', NAMES)).toBeUndefined(); // distance 3 from gpujs, no prefix
    expect(closestName('webgl2', NAMES)).toBeUndefined();
    expect(closestName('', NAMES)).toBeUndefined();
    expect(closestName('workers', NAMES)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });

  it('suggests a name that differs only in letter case first, at any distance', () => {
    expect(closestName('REFERENCE', NAMES)).toBe('reference'); // 9 substitutions
    expect(closestName('CPU-TILED', NAMES)).toBe('cpu-tiled');
    expect(closestName('Threads', ['threads', 'thread'])).toBe('threads'); // before 'thread', also near
  });
});

describe('did you mean, in the typed errors of a selection', () => {
  function registry() {
    const r = new BackendRegistry();
    registerReferenceBackend(r);
    // A backend with options, validated the way the real backends validate theirs.
    r.register('opts', () => {
      throw new Error('never created in these tests');
    }, { priority: -1, presets: { wide: { threads: 16 } }, validate: (options) => assertKnownKeys('options', options, ['mode', 'threads']) });
    return r;
  }
  const problem = { inputShape: [1, 1, 1, 1] as const, weights: { data: Float32Array.of(1), shape: [1, 1] } };

  it('an unknown backend name in the backend option names the closest registered one', async () => {
    const error = await prepareConv1x1(problem, { registry: registry(), backend: 'refrence' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownBackendError);
    expect((error as UnknownBackendError).suggestion).toBe('reference');
    expect((error as Error).message).toBe('backend: expected one of "reference", "opts", received "refrence" (did you mean "reference"?)');
  });

  it('an unknown backend name in POINTWISE_BACKEND too; a far one gets no suggestion', () => {
    expect(() => registry().candidates({ env: { POINTWISE_BACKEND: 'reference,opst' } })).toThrow(
      'POINTWISE_BACKEND: expected one of "reference", "opts", received "opst" (did you mean "opts"?)',
    );
    let caught: unknown;
    try {
      registry().candidates({ backend: 'cuda' as never });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownBackendError);
    expect((caught as UnknownBackendError).suggestion).toBeUndefined();
    expect((caught as Error).message).toBe('backend: expected one of "reference", "opts", received "cuda"');
  });

  it('an unknown option key in a selection string, an entry object or POINTWISE_BACKEND names the closest known key', () => {
    const r = registry();
    for (const backend of ['opts[therads=4]', { name: 'opts', therads: 4 }]) {
      let caught: unknown;
      try {
        r.candidates({ backend: backend as never });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).suggestion).toBe('threads');
      expect((caught as Error).message).toBe('options.therads: expected one of the known options (mode, threads), received "therads" (did you mean "threads"?)');
    }
    expect(() => r.candidates({ env: { POINTWISE_BACKEND: 'opts[therads=4]' } })).toThrow(
      'POINTWISE_BACKEND: opts[therads=4]: options.therads: expected one of the known options (mode, threads), received "therads" (did you mean "threads"?)',
    );
    expect(() => r.candidates({ backend: 'opts[colour=4]' as never })).toThrow(/^options\.colour: expected one of the known options \(mode, threads\), received "colour"$/);
  });

  it('a misspelt selection key and a misspelt preset word are suggested too', async () => {
    await expect(prepareConv1x1(problem, { registry: registry(), strcit: true } as never)).rejects.toThrow(/^options\.strcit: .*received "strcit" \(did you mean "strict"\?\)$/);
    // opts has no shorthand, so a bracketed word must be a preset.
    expect(() => registry().candidates({ backend: 'opts[wid]' as never })).toThrow('backend: expected for "opts[…]": key=value options or the presets wide, received "wid" (did you mean "wide"?)');
  });
});
