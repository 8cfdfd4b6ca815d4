/**
 * Gathers the input of one pixel block and one group into the packed panel
 * the microkernel reads: slivers of `nr` pixels, sliver `s` holding `K` rows
 * of `nr` values at `s·K·nr + k·nr + q`; the columns past `count` in the last
 * sliver are zero (edge tiles are padded here, never in the user's tensor).
 * Stride and padding were applied by the pixel map, so only used pixels are read.
 *
 * @param x the input tensor's data, in either layout.
 * @param base offset of channel `g·K` of image `n` in `x`.
 * @param channelStride element stride of the input's C axis (`H·W` in NCHW, 1 in NHWC).
 * @param offsets spatial offset of each of the `count` pixels.
 */
export function packInputPanel(
  x: Float32Array,
  base: number,
  channelStride: number,
  k: number,
  nr: number,
  offsets: Uint32Array,
  count: number,
  panel: Float32Array,
): void {
  const sliverLength = k * nr;
  const slivers = Math.ceil(count / nr);
  if (channelStride === 1) {
    // NHWC: a pixel's K channels are contiguous; read along them.
    for (let m = 0; m < count; m++) {
      const q = m % nr;
      const dst = ((m - q) / nr) * sliverLength + q;
      const src = base + offsets[m];
      for (let kk = 0; kk < k; kk++) panel[dst + kk * nr] = x[src + kk];
    }
  } else if (count > 0 && offsets[count - 1] - offsets[0] === count - 1) {
    // NCHW, the block's pixels consecutive in the input (stride 1, no padding in between):
    // a straight copy of row segments, without the offset table.
    const start = base + offsets[0];
    for (let kk = 0; kk < k; kk++) {
      const row = start + kk * channelStride;
      let dst = kk * nr;
      for (let m = 0; m < count; m += nr) {
        const end = Math.min(nr, count - m);
        for (let q = 0; q < end; q++) panel[dst + q] = x[row + m + q];
        dst += sliverLength;
      }
    }
  } else {
    // NCHW: a channel's pixels are contiguous; read along them.
    for (let kk = 0; kk < k; kk++) {
      const row = base + kk * channelStride;
      let dst = kk * nr;
      for (let m = 0; m < count; m += nr) {
        const end = Math.min(nr, count - m);
        for (let q = 0; q < end; q++) panel[dst + q] = x[row + offsets[m + q]];
        dst += sliverLength;
      }
    }
  }
  const tail = count % nr;
  if (tail !== 0) {
    const dst = (slivers - 1) * sliverLength;
    for (let kk = 0; kk < k; kk++) panel.fill(0, dst + kk * nr + tail, dst + kk * nr + nr);
  }
}
