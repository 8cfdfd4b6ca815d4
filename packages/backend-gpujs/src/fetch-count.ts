/**
 * Texture fetches per multiply-add in the inner loop of a generated gpu.js
 * kernel source ({@link conv1x1KernelSource}, {@link conv1x1Vec4KernelSource}):
 * the measure that matters on a GPU, where a pointwise kernel is bound by fetches.
 *
 * - A fetch is a read of a texture-backed value: an array argument (`x[…]…`,
 *   `w[…]…`: one read however many subscripts follow) or an array constant
 *   (`this.constants.w[…]…`). Scalar arguments (`ox`, `lo`) are uniforms.
 * - A multiply-add is a product of two values (`a[0] * v[0]`,
 *   `this.constants.w[co][k] * x[…]`); products with an integer literal
 *   (`(this.thread.y + oy) * 2`, index arithmetic) are not counted.
 *
 * Only the body of the first `for` loop counts (the dot product; everything
 * outside it runs once per thread, not per multiply-add).
 */
export interface FetchCount {
  readonly fetches: number;
  readonly multiplyAdds: number;
  /** `fetches / multiplyAdds`. */
  readonly fetchesPerMultiplyAdd: number;
}

/** The text between the braces of the first `for (…) { … }` in `source`. */
function firstLoopBody(source: string): string {
  const start = source.indexOf('for (');
  if (start < 0) throw new Error('kernel source has no loop');
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error('unbalanced loop body');
}

/**
 * Counts the fetches and multiply-adds of one loop iteration.
 * @param source gpu.js kernel source (`function name(args) { … }`).
 * @param textureArguments the argument names backed by textures (default: every argument except the
 *   integer / float scalars `ox, oy, oz, lo, hi`).
 */
export function countFetches(source: string, textureArguments?: readonly string[]): FetchCount {
  const params = /function\s*\w*\s*\(([^)]*)\)/.exec(source)?.[1].split(',').map((p) => p.trim()) ?? [];
  const scalars = new Set(['ox', 'oy', 'oz', 'lo', 'hi']);
  const textures = textureArguments ?? params.filter((p) => p !== '' && !scalars.has(p));
  const body = firstLoopBody(source);
  let fetches = 0;
  for (const name of textures) {
    // A read starts at the name (not preceded by a word character, `.` or `]`) followed by `[`.
    fetches += body.match(new RegExp(`(?<![\\w.\\]])${name}\\[`, 'g'))?.length ?? 0;
  }
  fetches += body.match(/this\.constants\.\w+\[/g)?.length ?? 0;
  let multiplyAdds = 0;
  const operand = /[\w\])]/;
  for (let i = body.indexOf('*'); i >= 0; i = body.indexOf('*', i + 1)) {
    const left = body.slice(0, i).trimEnd();
    const right = body.slice(i + 1).trimStart();
    const leftLiteral = /(?<![\w.])\d+(\.\d+)?$/.test(left);
    const rightLiteral = /^\d/.test(right);
    if (!leftLiteral && !rightLiteral && operand.test(left.at(-1) ?? '')) multiplyAdds++;
  }
  return { fetches, multiplyAdds, fetchesPerMultiplyAdd: multiplyAdds === 0 ? Infinity : fetches / multiplyAdds };
}

/** Storage arrays (`var<storage, …> name : array<…>`) declared in a WGSL module. */
function wgslStorageArrays(source: string): string[] {
  return [...source.matchAll(/var<storage[^>]*>\s*(\w+)\s*:\s*array</g)].map((m) => m[1]);
}

/** Storage reads in a piece of WGSL: each `name[` of a storage array (not preceded by a word character or `.`). */
function wgslStorageReads(text: string, arrays: readonly string[]): number {
  return arrays.reduce((sum, name) => sum + (text.match(new RegExp(`(?<![\\w.])${name}\\[`, 'g'))?.length ?? 0), 0);
}

/**
 * Global-memory reads per multiply-add in the first loop of a WGSL compute
 * shader: the generated program of {@link conv1x1Vec4Wgsl}, or the WGSL
 * gpu.js's WebGPU backend translates the scalar kernel to (its `compiledSource`).
 *
 * - A read is one indexing of a storage array (`x[…]`: one load of its
 *   element type, a `vec4<f32>` counting once), or a call to a helper
 *   function whose body reads storage (gpu.js's flat accessors
 *   `get_user_x(z, y, x)`, `get_constants_w(…)`), counting the reads in that body.
 *   Uniforms are not counted.
 * - A multiply-add is a product of two values: 4 when one operand is a
 *   `vec4<f32>` local (declared `let|var name : vec4<f32>`, used without a
 *   component), 1 otherwise; products with an integer literal (`k * 4u`,
 *   index arithmetic) are not counted.
 */
export function countWgslFetches(source: string): FetchCount {
  const arrays = wgslStorageArrays(source);
  const accessors = new Map<string, number>();
  for (const m of source.matchAll(/fn\s+(\w+)\s*\([^)]*\)[^{]*\{([^}]*)\}/g)) {
    const reads = wgslStorageReads(m[2], arrays);
    if (reads > 0) accessors.set(m[1], reads);
  }
  const vectors = new Set([...source.matchAll(/(?:let|var)\s+(\w+)\s*:\s*vec4<f32>/g)].map((m) => m[1]));
  const body = firstLoopBody(source);
  let fetches = wgslStorageReads(body, arrays);
  for (const [name, reads] of accessors) fetches += reads * (body.match(new RegExp(`(?<![\\w.])${name}\\(`, 'g'))?.length ?? 0);
  let multiplyAdds = 0;
  for (let i = body.indexOf('*'); i >= 0; i = body.indexOf('*', i + 1)) {
    const left = /([\w.]+)\s*$/.exec(body.slice(0, i))?.[1] ?? ')';
    const right = /^\s*([\w.]+)/.exec(body.slice(i + 1))?.[1] ?? '(';
    if (/^\d/.test(left) || /^\d/.test(right)) continue;
    multiplyAdds += vectors.has(left) || vectors.has(right) ? 4 : 1;
  }
  return { fetches, multiplyAdds, fetchesPerMultiplyAdd: multiplyAdds === 0 ? Infinity : fetches / multiplyAdds };
}
