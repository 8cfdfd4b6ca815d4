/**
 * A minimal WebAssembly binary encoder: just enough of the format (one
 * imported memory, function types, functions with typed locals, exports, and
 * the integer / float / 128-bit SIMD instructions the GEMM generator emits) to
 * build this package's kernels from TypeScript at run time, with no
 * toolchain. Encodings follow the WebAssembly core specification 2.0
 * (§5 "Binary Format") and its fixed-width SIMD section (opcodes behind the
 * `0xFD` prefix). Tests validate and disassemble the output with `wabt`.
 */

/** A value type of the encoded module. */
export type ValType = 'i32' | 'f32' | 'v128';

const VALTYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Appends the unsigned LEB128 encoding of `value` (a non-negative 32-bit integer). */
function pushU32(bytes: number[], value: number): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    bytes.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

/** Appends the signed LEB128 encoding of a 32-bit integer. */
function pushS32(bytes: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function pushName(bytes: number[], name: string): void {
  const utf8 = new TextEncoder().encode(name);
  pushU32(bytes, utf8.length);
  for (const b of utf8) bytes.push(b);
}

function pushSection(module: number[], id: number, payload: number[]): void {
  module.push(id);
  pushU32(module, payload.length);
  for (const b of payload) module.push(b);
}

/** A local variable (or parameter) of a function being built. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * The body of one function: each method appends one instruction in stack-
 * machine order (operands first), exactly as in the text format, e.g.
 * `f.get(a); f.v128Load(16); f.set(b)` is `(local.set $b (v128.load offset=16 (local.get $a)))`.
 */
export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];
  /** The parameters, in order. */
  readonly params: readonly Local[];

  constructor(
    readonly name: string,
    paramTypes: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** Declares a new local of `type`. */
  local(type: ValType): Local {
    const local = { index: this.params.length + this.localTypes.length, type };
    this.localTypes.push(type);
    return local;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  private simd(opcode: number): this {
    this.code.push(0xfd);
    pushU32(this.code, opcode);
    return this;
  }

  /** `memarg`: alignment exponent and constant byte offset. */
  private memarg(alignLog2: number, offset: number): this {
    pushU32(this.code, alignLog2);
    pushU32(this.code, offset);
    return this;
  }

  get(local: Local): this {
    this.op(0x20);
    pushU32(this.code, local.index);
    return this;
  }
  set(local: Local): this {
    this.op(0x21);
    pushU32(this.code, local.index);
    return this;
  }
  tee(local: Local): this {
    this.op(0x22);
    pushU32(this.code, local.index);
    return this;
  }

  /** `block` / `loop` / `if` with no result; close with {@link end}. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  /** Branch to the `depth`-th enclosing block/loop (0 = innermost). */
  br(depth: number): this {
    this.op(0x0c);
    pushU32(this.code, depth);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    pushU32(this.code, depth);
    return this;
  }
  /** `select` of the top two operands by an i32 condition. */
  select(): this {
    return this.op(0x1b);
  }

  i32Const(value: number): this {
    this.op(0x41);
    pushS32(this.code, value);
    return this;
  }
  f32Const(value: number): this {
    this.op(0x43);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    for (const b of bytes) this.code.push(b);
    return this;
  }
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(2, offset);
  }
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }

  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(4, offset);
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(2, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(4, offset);
  }
  /** `v128.const` of four f32 lanes. */
  v128ConstF32(lanes: readonly [number, number, number, number]): this {
    this.simd(0x0c);
    const bytes = new Uint8Array(new Float32Array(lanes).buffer);
    for (const b of bytes) this.code.push(b);
    return this;
  }
  /** `i8x16.shuffle` picking byte `lanes[i]` (0–31 over both operands). */
  i8x16Shuffle(lanes: readonly number[]): this {
    this.simd(0x0d);
    for (const lane of lanes) this.code.push(lane);
    return this;
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * `f32x4.relaxed_madd` (relaxed SIMD, opcode `0xfd 0x105` of the final
   * spec; the prototype's `0xaf` no longer validates): `a·b + c` lane-wise,
   * with one rounding where the engine emits a fused multiply-add (x64 with
   * FMA3, Arm) and two where it emits multiply then add — fixed per engine
   * and CPU, so every thread of a process computes the same bits.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  /** `f32x4.pmin`: lane-wise `b < a ? b : a` (so a NaN in `a` is kept). */
  f32x4Pmin(): this {
    return this.simd(0xea);
  }
  /** `f32x4.pmax`: lane-wise `a < b ? b : a` (so a NaN in `a` is kept). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }

  /** The encoded body (locals declaration, code, final `end`). */
  encode(): number[] {
    const body: number[] = [];
    pushU32(body, this.localTypes.length);
    for (const type of this.localTypes) {
      pushU32(body, 1);
      body.push(VALTYPE_CODE[type]);
    }
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    const sized: number[] = [];
    pushU32(sized, body.length);
    return sized.concat(body);
  }
}

/** Limits of the memory a module imports, in 64 KiB pages. */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  readonly initialPages: number;
  readonly maximumPages: number;
  /** Must match the `shared` flag of the `WebAssembly.Memory` given at instantiation. */
  readonly shared: boolean;
}

/**
 * Builds a module of one imported memory and exported functions.
 * Every function is exported under its name.
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];

  constructor(private readonly memory: MemoryImport | null) {}

  /** Adds a function; returns its builder to fill. */
  func(name: string, params: readonly ValType[], results: readonly ValType[] = []): FunctionBuilder {
    const f = new FunctionBuilder(name, params, results);
    this.functions.push(f);
    return f;
  }

  /** The module's bytes. */
  encode(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    const types: number[] = [];
    pushU32(types, this.functions.length);
    for (const f of this.functions) {
      types.push(0x60);
      pushU32(types, f.params.length);
      for (const p of f.params) types.push(VALTYPE_CODE[p.type]);
      pushU32(types, f.results.length);
      for (const r of f.results) types.push(VALTYPE_CODE[r]);
    }
    pushSection(out, 1, types);

    if (this.memory !== null) {
      const imports: number[] = [];
      pushU32(imports, 1);
      pushName(imports, this.memory.module);
      pushName(imports, this.memory.name);
      imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
      pushU32(imports, this.memory.initialPages);
      pushU32(imports, this.memory.maximumPages);
      pushSection(out, 2, imports);
    }

    const funcs: number[] = [];
    pushU32(funcs, this.functions.length);
    this.functions.forEach((_, i) => pushU32(funcs, i));
    pushSection(out, 3, funcs);

    const exports: number[] = [];
    pushU32(exports, this.functions.length);
    this.functions.forEach((f, i) => {
      pushName(exports, f.name);
      exports.push(0x00);
      pushU32(exports, i);
    });
    pushSection(out, 7, exports);

    const code: number[] = [];
    pushU32(code, this.functions.length);
    for (const f of this.functions) for (const b of f.encode()) code.push(b);
    pushSection(out, 10, code);

    return new Uint8Array(out);
  }
}
