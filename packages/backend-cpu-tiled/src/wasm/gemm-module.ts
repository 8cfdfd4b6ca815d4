import { ModuleBuilder, type FunctionBuilder, type Local } from './wasm-encoder.js';

/** Output channels per register tile of the WASM microkernel (rows; one `f32x4` splat each). */
export const WASM_MR = 4;
/** Output pixels per register tile of the WASM microkernel (two `f32x4` vectors). */
export const WASM_NR = 8;

/** Options of {@link buildGemmModule}. */
export interface GemmModuleOptions {
  /** Whether the imported memory is shared (must match the `WebAssembly.Memory` it is instantiated with). */
  readonly shared: boolean;
  /** Maximum size of the imported memory, in 64 KiB pages. */
  readonly maximumPages: number;
  /**
   * `true`: the `k` loop accumulates with `f32x4.relaxed_madd` (relaxed SIMD:
   * `f32-gemm-4x8-minmax-wasmrelaxedsimd`); `false`: `f32x4.mul` then
   * `f32x4.add` (`f32-gemm-4x8-minmax-wasmsimd`). Nothing else differs.
   */
  readonly fma?: boolean;
}

/** Byte offsets (as bytes in the `i8x16.shuffle` immediate) of f32 lanes: lanes 0–3 of `a`, 4–7 of `b`. */
function f32Lanes(...lanes: number[]): number[] {
  return lanes.flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]);
}

/**
 * `gemm_block(w, bias, x, ldx, panelStride, k, out, ldo, tiles, rowsLast, pixels, clamp, stage, pixelMajor)`:
 * all pointers are byte offsets into the imported memory, all sizes element counts.
 *
 * For each panel of 8 output pixels (`ceil(pixels / 8)` panels; panel `p`'s
 * operand at `x + p·panelStride`, its `k` rows `ldx` bytes apart, 8 floats
 * each) and each tile of 4 output channels (`tiles` tiles; tile `t`'s packed
 * weights at `w + t·k·16`, `k` columns of 4 floats, its bias at `bias + t·16`):
 *
 *     acc[r][q] = bias[r] + Σ_{s<k} w[s][r] · x[s][q]     (s ascending, f32 mul then add; `fma`: relaxed_madd)
 *     out[r][q] = pmin(pmax(acc, clamp[0]), clamp[1])     (= v < min ? min : v > max ? max : v)
 *
 * stored at `out + r·ldo + q·4` (channel-major, `pixelMajor = 0`) or
 * `out + q·ldo + r·4` (pixel-major), tile `t` / panel `p` shifted accordingly.
 * The last tile stores `rowsLast` rows and the last panel `pixels − 8·(panels−1)`
 * columns: such edge tiles go through the 32-float `stage` area. A panel of at
 * most 4 pixels runs its tiles two at a time, pixels splatted and weights as
 * vectors (4 pixels × 8 channels: still 8 independent accumulators and 14 live
 * vector registers; an odd last tile runs the 4 × 8 loop); a panel of 1 pixel
 * runs them six at a time (1 pixel × 24 channels, six accumulators), then
 * pairs: on a 7 × 7 map the last panel of 1 pixel then costs about a third of
 * what the pairs cost (4 columns computed to keep 1), 6–7 % of the layer's time
 * on ResNet-50's 2048→512 @7² and MobileNetV2's 320→1280 @7². A stored lane sees the
 * same operations in the same order on either path, so results do not
 * depend on it. Lanes of the operand beyond the valid
 * pixels are read (so they must be addressable) but never stored. `clamp`
 * points to two floats `[min, max]`.
 *
 * The register tile is 8 `f32x4` accumulators + 2 operand vectors + 4 weight
 * splats, which fits the 15 allocatable XMM registers of V8 on x64 without
 * spills; min/max are loaded from memory after the loop for the same reason.
 */
function emitGemmBlock(m: ModuleBuilder, fma: boolean): void {
  const f = m.func('gemm_block', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [w0, bias0, x0, ldx, panelStride, k, out0, ldo, tiles, rowsLast, pixels, clamp, stage, pixelMajor] = f.params;
  const p = f.local('i32');
  const cols = f.local('i32');
  const t = f.local('i32');
  const rows = f.local('i32');
  const wt = f.local('i32');
  const wk = f.local('i32');
  const wEnd = f.local('i32');
  const bt = f.local('i32');
  const xt = f.local('i32');
  const xP = f.local('i32');
  const ot = f.local('i32');
  const outP = f.local('i32');
  const o = f.local('i32');
  const wTileStep = f.local('i32');
  const outPanelStep = f.local('i32');
  const outTileStep = f.local('i32');
  const r = f.local('i32');
  const q = f.local('i32');
  const wk2 = f.local('i32');
  const ot2 = f.local('i32');
  const rowsA = f.local('i32');
  const acc: Local[][] = [0, 1, 2, 3].map(() => [f.local('v128'), f.local('v128')]);
  const b = [f.local('v128'), f.local('v128')];
  const s = f.local('v128');
  const lo = f.local('v128');
  const hi = f.local('v128');
  const tr = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  /** The weight pointers of the six tiles of a one-pixel panel. */
  const wp = [0, 1, 2, 3, 4, 5].map(() => f.local('i32'));

  f.get(k).i32Const(4).i32Shl().set(wTileStep);
  // Pixel-major: the next panel is 8 rows of `ldo` further, the next tile 4 floats; channel-major the reverse.
  f.get(ldo).i32Const(3).i32Shl().i32Const(32).get(pixelMajor).select().set(outPanelStep);
  f.i32Const(16).get(ldo).i32Const(2).i32Shl().get(pixelMajor).select().set(outTileStep);
  f.get(out0).set(outP).get(x0).set(xP).i32Const(0).set(p);

  f.loop(); // panels
  {
    f.get(pixels).get(p).i32Sub().set(cols);
    f.i32Const(8).get(cols).get(cols).i32Const(8).i32GtS().select().set(cols);
    f.get(w0).set(wt).get(bias0).set(bt).get(outP).set(ot).i32Const(0).set(t);
    f.loop(); // tiles
    {
      // A panel of at most 4 pixels (the remainder of the pixels) takes two channel tiles at a time:
      // 4 pixels × 8 channels keeps 8 independent accumulators (a 4 × 4 tile would wait on the
      // add / FMA latency), at half the cost of an 8-pixel panel. Every stored lane sees the same
      // operations in the same order as in a full tile, so results do not depend on the path.
      // A panel of one pixel (a 7 × 7 map's last: 49 = 6 · 8 + 1) takes six channel tiles at a time, one
      // accumulator each: 24 channels of the pixel for one splat of it, where the pair below would compute
      // 4 pixels to keep 1. Same products, same order per stored lane.
      f.get(cols).i32Const(1).i32Eq().get(t).i32Const(5).i32Add().get(tiles).i32LtS().i32And().if();
      {
        emitOnePixelTiles(f, { acc, b, s, xt, wEnd, ldx, wp, bt, wt, wTileStep, xP, clamp, lo, hi, stage, ot, ot2, outTileStep, ldo, rows, rowsA, rowsLast, cols, pixelMajor, r, q, o, t, tiles }, fma);
      }
      f.else();
      f.get(cols).i32Const(5).i32LtS().get(t).i32Const(1).i32Add().get(tiles).i32LtS().i32And().if();
      {
        f.get(rowsLast).i32Const(4).get(t).i32Const(2).i32Add().get(tiles).i32Eq().select().set(rows);
        // Here acc[q][j] holds pixel q's channels 4j … 4j+3 of the pair (the roles of weights and
        // operand swapped: 2 weight vectors and 4 operand splats a step, as many live registers as the 4 × 8 loop).
        for (let pixel = 0; pixel < 4; pixel++) {
          f.get(bt).v128Load(0).set(acc[pixel][0]);
          f.get(bt).v128Load(16).set(acc[pixel][1]);
        }
        f.get(xP).set(xt).get(wt).tee(wk).get(wTileStep).i32Add().tee(wk2).set(wEnd);
        emitPairedKLoop(f, { acc, b, s, xt, wk, wk2, wEnd, ldx }, fma);
        emitClamp(f, acc, clamp, lo, hi);
        acc.forEach((v, pixel) => {
          f.get(stage).get(v[0]).v128Store(pixel * 32);
          f.get(stage).get(v[1]).v128Store(pixel * 32 + 16);
        });
        f.i32Const(4).set(rowsA);
        emitEdgeCopy(f, { stage, at: ot, ldo, rows: rowsA, cols, pixelMajor, r, q, o }, true, 0);
        f.get(ot).get(outTileStep).i32Add().set(ot2);
        emitEdgeCopy(f, { stage, at: ot2, ldo, rows, cols, pixelMajor, r, q, o }, true, 16);
        // The second tile: step past it here, the common step below passes the first.
        f.get(wt).get(wTileStep).i32Add().set(wt);
        f.get(bt).i32Const(16).i32Add().set(bt);
        f.get(ot).get(outTileStep).i32Add().set(ot);
        f.get(t).i32Const(1).i32Add().set(t);
      }
      f.else();
      {
        f.get(rowsLast).i32Const(4).get(t).i32Const(1).i32Add().get(tiles).i32Eq().select().set(rows);
        for (let row = 0; row < 4; row++) {
          f.get(bt).v128Load32Splat(row * 4).tee(acc[row][0]).set(acc[row][1]);
        }
        f.get(xP).set(xt).get(wt).tee(wk).get(wTileStep).i32Add().set(wEnd);
        emitKLoop(f, { acc, b, s, xt, wk, wEnd, ldx }, fma);
        emitClamp(f, acc, clamp, lo, hi);
        f.get(rows).i32Const(4).i32Eq().get(cols).i32Const(8).i32Eq().i32And().if();
        {
          f.get(pixelMajor).if();
          emitTransposedStore(f, acc, tr, ot, ldo, o);
          f.else();
          f.get(ot).set(o);
          for (let row = 0; row < 4; row++) {
            f.get(o).get(acc[row][0]).v128Store(0);
            f.get(o).get(acc[row][1]).v128Store(16);
            if (row < 3) f.get(o).get(ldo).i32Add().set(o);
          }
          f.end();
        }
        f.else();
        acc.forEach((v, row) => {
          f.get(stage).get(v[0]).v128Store(row * 32);
          f.get(stage).get(v[1]).v128Store(row * 32 + 16);
        });
        emitEdgeCopy(f, { stage, at: ot, ldo, rows, cols, pixelMajor, r, q, o }, false, 0);
        f.end();
      }
      f.end();
      f.end();
      f.get(wt).get(wTileStep).i32Add().set(wt);
      f.get(bt).i32Const(16).i32Add().set(bt);
      f.get(ot).get(outTileStep).i32Add().set(ot);
      f.get(t).i32Const(1).i32Add().tee(t).get(tiles).i32LtS().brIf(0);
    }
    f.end();
    f.get(xP).get(panelStride).i32Add().set(xP);
    f.get(outP).get(outPanelStep).i32Add().set(outP);
    f.get(p).i32Const(8).i32Add().tee(p).get(pixels).i32LtS().brIf(0);
  }
  f.end();
}

/** Locals of {@link emitOnePixelTiles}: the block's and the tile loop's. */
interface OnePixelLocals extends Omit<KLoopLocals, 'wk'> {
  wp: Local[];
  bt: Local;
  wt: Local;
  wTileStep: Local;
  xP: Local;
  clamp: Local;
  lo: Local;
  hi: Local;
  stage: Local;
  ot: Local;
  ot2: Local;
  outTileStep: Local;
  ldo: Local;
  rows: Local;
  rowsA: Local;
  rowsLast: Local;
  cols: Local;
  pixelMajor: Local;
  r: Local;
  q: Local;
  o: Local;
  t: Local;
  tiles: Local;
}

/**
 * Tiles `t … t+5` of a one-pixel panel: `acc_i[0 … 3] = bias_i + Σ_s splat(x[s][0]) · w_i[s][0 … 3]`
 * for `s` ascending (six independent accumulators: enough to hide the add / FMA latency at two per
 * cycle), clamped, staged by pixel and copied out tile by tile. Leaves `wt`, `bt`, `ot` and `t` on the
 * group's last tile (the tile loop's common step passes it).
 */
function emitOnePixelTiles(f: FunctionBuilder, l: OnePixelLocals, fma: boolean): void {
  const one = [l.acc[0][0], l.acc[0][1], l.acc[1][0], l.acc[1][1], l.acc[2][0], l.acc[2][1]];
  // The sixth tile may be the last one, of rowsLast rows; the five before it are whole.
  f.get(l.rowsLast).i32Const(4).get(l.t).i32Const(6).i32Add().get(l.tiles).i32Eq().select().set(l.rows);
  one.forEach((v, i) => f.get(l.bt).v128Load(i * 16).set(v));
  f.get(l.xP).set(l.xt).get(l.wt).set(l.wp[0]);
  for (let i = 1; i < 6; i++) f.get(l.wp[i - 1]).get(l.wTileStep).i32Add().set(l.wp[i]);
  // The first tile's weights end where the second's begin.
  f.get(l.wp[1]).set(l.wEnd);
  f.loop();
  {
    f.get(l.xt).v128Load32Splat(0).set(l.s);
    one.forEach((v, i) => {
      f.get(l.wp[i]).v128Load(0).set(l.b[0]);
      emitMultiplyAdd(f, v, l.s, l.b[0], fma);
      if (i > 0) f.get(l.wp[i]).i32Const(16).i32Add().set(l.wp[i]);
    });
    f.get(l.xt).get(l.ldx).i32Add().set(l.xt);
    f.get(l.wp[0]).i32Const(16).i32Add().tee(l.wp[0]).get(l.wEnd).i32LtU().brIf(0);
  }
  f.end();
  emitClamp(f, [one], l.clamp, l.lo, l.hi);
  one.forEach((v, i) => f.get(l.stage).get(v).v128Store(i * 16));
  f.i32Const(4).set(l.rowsA);
  f.get(l.ot).set(l.ot2);
  for (let i = 0; i < 6; i++) {
    emitEdgeCopy(f, { stage: l.stage, at: l.ot2, ldo: l.ldo, rows: i < 5 ? l.rowsA : l.rows, cols: l.cols, pixelMajor: l.pixelMajor, r: l.r, q: l.q, o: l.o }, true, i * 16);
    if (i < 5) f.get(l.ot2).get(l.outTileStep).i32Add().set(l.ot2);
  }
  // Five tiles stepped past here, the sixth by the tile loop's common step.
  f.get(l.wt).get(l.wTileStep).i32Const(5).i32Mul().i32Add().set(l.wt);
  f.get(l.bt).i32Const(5 * 16).i32Add().set(l.bt);
  f.get(l.ot).get(l.outTileStep).i32Const(5).i32Mul().i32Add().set(l.ot);
  f.get(l.t).i32Const(5).i32Add().set(l.t);
}

interface KLoopLocals {
  acc: Local[][];
  b: Local[];
  s: Local;
  xt: Local;
  wk: Local;
  wEnd: Local;
  ldx: Local;
}

/** One multiply-accumulate step `acc += s · x`: `relaxed_madd`, or mul then add. */
function emitMultiplyAdd(f: FunctionBuilder, acc: Local, s: Local, x: Local, fma: boolean): void {
  if (fma) f.get(s).get(x).get(acc).f32x4RelaxedMadd().set(acc);
  else f.get(acc).get(s).get(x).f32x4Mul().f32x4Add().set(acc);
}

/** The `k` loop of one 4 × 8 tile: `acc[r][j] += splat(w[s][r]) · x[s][4j … 4j+3]` for `s` ascending. */
function emitKLoop(f: FunctionBuilder, l: KLoopLocals, fma: boolean): void {
  f.loop();
  {
    f.get(l.xt).v128Load(0).set(l.b[0]);
    f.get(l.xt).v128Load(16).set(l.b[1]);
    for (let row = 0; row < 4; row++) {
      f.get(l.wk).v128Load32Splat(row * 4).set(l.s);
      for (let j = 0; j < 2; j++) emitMultiplyAdd(f, l.acc[row][j], l.s, l.b[j], fma);
    }
    f.get(l.xt).get(l.ldx).i32Add().set(l.xt);
    f.get(l.wk).i32Const(16).i32Add().tee(l.wk).get(l.wEnd).i32LtU().brIf(0);
  }
  f.end();
}

/**
 * The `k` loop of two 4-channel tiles (weights at `wk` and `wk2`) over the first 4 pixels of the
 * panel, the operand splatted and the weights as vectors: `acc[q][j] += splat(x[s][q]) · w_j[s][0 … 3]`
 * for `s` ascending — per element the same product and sum as the 4 × 8 loop (both are commutative).
 */
function emitPairedKLoop(f: FunctionBuilder, l: KLoopLocals & { wk2: Local }, fma: boolean): void {
  f.loop();
  {
    f.get(l.wk).v128Load(0).set(l.b[0]);
    f.get(l.wk2).v128Load(0).set(l.b[1]);
    for (let pixel = 0; pixel < 4; pixel++) {
      f.get(l.xt).v128Load32Splat(pixel * 4).set(l.s);
      for (let j = 0; j < 2; j++) emitMultiplyAdd(f, l.acc[pixel][j], l.s, l.b[j], fma);
    }
    f.get(l.xt).get(l.ldx).i32Add().set(l.xt);
    f.get(l.wk2).i32Const(16).i32Add().set(l.wk2);
    f.get(l.wk).i32Const(16).i32Add().tee(l.wk).get(l.wEnd).i32LtU().brIf(0);
  }
  f.end();
}

/** Activation: pmax then pmin reproduce `v < min ? min : v > max ? max : v`, NaN included (bounds loaded after the loop: registers). */
function emitClamp(f: FunctionBuilder, acc: Local[][], clamp: Local, lo: Local, hi: Local): void {
  f.get(clamp).v128Load32Splat(0).set(lo).get(clamp).v128Load32Splat(4).set(hi);
  for (const row of acc) {
    for (const v of row) f.get(v).get(lo).f32x4Pmax().get(hi).f32x4Pmin().set(v);
  }
}

/** Full tile, pixel-major: two in-register 4×4 transposes, then one 4-channel vector per pixel. */
function emitTransposedStore(f: FunctionBuilder, acc: Local[][], tr: Local[], ot: Local, ldo: Local, o: Local): void {
  f.get(ot).set(o);
  for (let j = 0; j < 2; j++) {
    f.get(acc[0][j]).get(acc[1][j]).i8x16Shuffle(f32Lanes(0, 4, 1, 5)).set(tr[0]);
    f.get(acc[2][j]).get(acc[3][j]).i8x16Shuffle(f32Lanes(0, 4, 1, 5)).set(tr[1]);
    f.get(acc[0][j]).get(acc[1][j]).i8x16Shuffle(f32Lanes(2, 6, 3, 7)).set(tr[2]);
    f.get(acc[2][j]).get(acc[3][j]).i8x16Shuffle(f32Lanes(2, 6, 3, 7)).set(tr[3]);
    const pixelsOut: [Local, Local, number[]][] = [
      [tr[0], tr[1], f32Lanes(0, 1, 4, 5)],
      [tr[0], tr[1], f32Lanes(2, 3, 6, 7)],
      [tr[2], tr[3], f32Lanes(0, 1, 4, 5)],
      [tr[2], tr[3], f32Lanes(2, 3, 6, 7)],
    ];
    pixelsOut.forEach(([a, c, lanes], i) => {
      f.get(o).get(a).get(c).i8x16Shuffle(lanes).v128Store(0);
      if (j < 1 || i < 3) f.get(o).get(ldo).i32Add().set(o);
    });
  }
}

interface EdgeCopyLocals {
  stage: Local;
  /** Address of the tile's first output (channel 0, pixel 0). */
  at: Local;
  ldo: Local;
  rows: Local;
  cols: Local;
  pixelMajor: Local;
  r: Local;
  q: Local;
  o: Local;
}

/**
 * Edge tile: copies the valid `rows × cols` floats of a tile spilled to `stage` (32 bytes a line:
 * channel row r at r·32 + q·4, or with `stagedByPixel` pixel q at q·32 + r·4 + `offset`) to the output.
 */
function emitEdgeCopy(f: FunctionBuilder, l: EdgeCopyLocals, stagedByPixel: boolean, offset: number): void {
  const [line, lane] = stagedByPixel ? [l.q, l.r] : [l.r, l.q];
  f.i32Const(0).set(l.r);
  f.loop();
  {
    f.i32Const(0).set(l.q);
    f.loop();
    {
      // Destination: channel-major at + r·ldo + q·4, pixel-major at + q·ldo + r·4.
      f.get(l.at);
      f.get(l.q).get(l.ldo).i32Mul().get(l.r).i32Const(2).i32Shl().i32Add();
      f.get(l.r).get(l.ldo).i32Mul().get(l.q).i32Const(2).i32Shl().i32Add();
      f.get(l.pixelMajor).select().i32Add();
      f.get(l.stage).get(line).i32Const(5).i32Shl().i32Add().get(lane).i32Const(2).i32Shl().i32Add().f32Load(offset);
      f.f32Store(0);
      f.get(l.q).i32Const(1).i32Add().tee(l.q).get(l.cols).i32LtS().brIf(0);
    }
    f.end();
    f.get(l.r).i32Const(1).i32Add().tee(l.r).get(l.rows).i32LtS().brIf(0);
  }
  f.end();
}

/**
 * `gather_panels(dst, src, offsets, pixels, k, kStride)`: packs the operand of
 * `pixels` output pixels into panels of 8 (`dst + (p >> 3)·k·32 + s·32 + (p & 7)·4`
 * holds pixel `p`, reduction index `s`), reading `src + offsets[p] + s·kStride`
 * — or 0 where `offsets[p]` is `0xffffffff` (a padding position). `offsets`
 * is a u32 table of byte offsets, one per pixel (all address arithmetic is
 * modulo 2^32, which is exact because the memory is at most 4 GiB); `kStride` is the byte distance between
 * consecutive input channels (`H·W·4` in NCHW, `4` in NHWC). This is where
 * stride, padding and the NHWC input layout are applied.
 *
 * NHWC (`kStride = 4`): a panel's 8 pixels each hold their channels
 * contiguously, so a full panel with no padding pixel is transposed 4
 * channels at a time with SIMD (per 4 pixels: 4 loads, two rounds of 4
 * shuffles — the 4×4 transpose of {@link emitTransposedStore} — and 4
 * stores), and only its last `k mod 4` channels are copied one by one. Every
 * other panel (NCHW, a padding pixel, the last partial panel, `k < 4`) is
 * copied one value at a time. Both move the same values, so the panel is
 * the same bits either way.
 */
function emitGatherPanels(m: ModuleBuilder): void {
  const f = m.func('gather_panels', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [dst, src, offsets, pixels, k, kStride] = f.params;
  const p = f.local('i32');
  const off = f.local('i32');
  const d = f.local('i32');
  const sp = f.local('i32');
  const left = f.local('i32');
  const q = f.local('i32');
  const n = f.local('i32');
  const panel = f.local('i32');
  const done = f.local('i32');
  const simd = f.local('i32');
  const sb = f.local('i32');
  const k4Bytes = f.local('i32');
  const a = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local('i32'));
  const v = [0, 1, 2, 3].map(() => f.local('v128'));
  const t = [0, 1, 2, 3].map(() => f.local('v128'));
  f.block();
  f.get(pixels).i32Const(1).i32LtS().brIf(0);
  // Bytes of the channels the SIMD path moves: k rounded down to a multiple of 4.
  f.get(k).i32Const(-4).i32And().i32Const(2).i32Shl().set(k4Bytes);
  f.i32Const(0).set(p);
  f.loop(); // panels
  {
    f.get(dst).get(p).i32Const(3).i32ShrU().get(k).i32Const(5).i32Shl().i32Mul().i32Add().set(panel);
    // n = min(8, pixels − p): the pixels of this panel.
    f.get(pixels).get(p).i32Sub().set(n);
    f.i32Const(8).get(n).get(n).i32Const(8).i32GtS().select().set(n);
    // SIMD when NHWC, a full panel, k ≥ 4 and no padding pixel.
    f.get(kStride).i32Const(4).i32Eq().get(n).i32Const(8).i32Eq().i32And().i32Const(3).get(k).i32LtS().i32And().set(simd);
    // The 8 table entries are read only for a full panel (a partial one may end the table).
    f.get(simd).if();
    for (let j = 0; j < 8; j++) {
      f.get(offsets).get(p).i32Const(2).i32Shl().i32Add().i32Load(j * 4).tee(off);
      f.get(src).i32Add().set(a[j]);
      f.get(simd).get(off).i32Const(-1).i32Ne().i32And().set(simd);
    }
    f.end();
    f.i32Const(0).set(done);
    f.get(simd).if();
    {
      f.get(panel).set(d).i32Const(0).set(sb);
      f.loop(); // 4 channels of the 8 pixels
      {
        for (let half = 0; half < 2; half++) {
          for (let j = 0; j < 4; j++) f.get(a[half * 4 + j]).get(sb).i32Add().v128Load(0).set(v[j]);
          f.get(v[0]).get(v[1]).i8x16Shuffle(f32Lanes(0, 4, 1, 5)).set(t[0]);
          f.get(v[2]).get(v[3]).i8x16Shuffle(f32Lanes(0, 4, 1, 5)).set(t[1]);
          f.get(v[0]).get(v[1]).i8x16Shuffle(f32Lanes(2, 6, 3, 7)).set(t[2]);
          f.get(v[2]).get(v[3]).i8x16Shuffle(f32Lanes(2, 6, 3, 7)).set(t[3]);
          const rows: [Local, Local, number[]][] = [
            [t[0], t[1], f32Lanes(0, 1, 4, 5)],
            [t[0], t[1], f32Lanes(2, 3, 6, 7)],
            [t[2], t[3], f32Lanes(0, 1, 4, 5)],
            [t[2], t[3], f32Lanes(2, 3, 6, 7)],
          ];
          rows.forEach(([lo, hi, lanes], row) => {
            f.get(d).get(lo).get(hi).i8x16Shuffle(lanes).v128Store(row * 32 + half * 16);
          });
        }
        f.get(d).i32Const(128).i32Add().set(d);
        f.get(sb).i32Const(16).i32Add().tee(sb).get(k4Bytes).i32LtU().brIf(0);
      }
      f.end();
      f.get(k4Bytes).i32Const(2).i32ShrU().set(done);
    }
    f.end();
    // One value at a time: channels done … k − 1 of each pixel of the panel.
    f.block();
    f.get(k).get(done).i32Sub().tee(left).i32Eqz().brIf(0);
    f.i32Const(0).set(q);
    f.loop(); // pixels
    {
      f.get(offsets).get(p).get(q).i32Add().i32Const(2).i32Shl().i32Add().i32Load(0).set(off);
      f.get(panel).get(done).i32Const(5).i32Shl().i32Add().get(q).i32Const(2).i32Shl().i32Add().set(d);
      f.get(k).get(done).i32Sub().set(left);
      // Padding is the all-ones entry: every real entry is an unsigned byte offset < 2^32 (a signed
      // `off < 0` took offsets ≥ 2 GiB for padding).
      f.get(off).i32Const(-1).i32Eq().if();
      f.loop();
      f.get(d).f32Const(0).f32Store(0);
      f.get(d).i32Const(32).i32Add().set(d);
      f.get(left).i32Const(1).i32Sub().tee(left).brIf(0);
      f.end();
      f.else();
      f.get(src).get(off).i32Add().get(done).get(kStride).i32Mul().i32Add().set(sp);
      f.loop();
      f.get(d).get(sp).f32Load(0).f32Store(0);
      f.get(d).i32Const(32).i32Add().set(d);
      f.get(sp).get(kStride).i32Add().set(sp);
      f.get(left).i32Const(1).i32Sub().tee(left).brIf(0);
      f.end();
      f.end();
      f.get(q).i32Const(1).i32Add().tee(q).get(n).i32LtS().brIf(0);
    }
    f.end();
    f.end();
    f.get(p).i32Const(8).i32Add().tee(p).get(pixels).i32LtS().brIf(0);
  }
  f.end();
  f.end();
}

/**
 * Generates the WASM SIMD GEMM module (exports `gemm_block` and
 * `gather_panels`, importing its memory as `env.memory`). Deterministic: the
 * same options give the same bytes, so worker threads compile an identical module.
 */
export function buildGemmModule(options: GemmModuleOptions): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, maximumPages: options.maximumPages, shared: options.shared });
  emitGemmBlock(m, options.fma === true);
  emitGatherPanels(m);
  return m.encode();
}
