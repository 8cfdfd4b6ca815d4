import type { Layout } from '@pointwise/core';
import type { CaseOptions } from './case.js';

function pairText(v: number | readonly number[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? String(v) : v.join('x');
}

/**
 * A descriptive case name that encodes its parameters, e.g.
 * `nchw-n2-ci6-h5-w7-co9-s2x3-p1x0x2x3-g3-relu6-bias-to-nhwc`: layouts, `N`,
 * `Ci`, `H`, `W`, `Co`, then only the options that differ from their defaults.
 */
export function caseName(
  shape: readonly [number, number, number, number],
  outChannels: number,
  options: CaseOptions,
  inputLayout: Layout,
  outputLayout: Layout,
  bias: boolean,
): string {
  const [n, ci, h, w] = shape;
  const parts = [inputLayout.toLowerCase(), `n${n}`, `ci${ci}`, `h${h}`, `w${w}`, `co${outChannels}`];
  const stride = pairText(options.stride);
  if (stride !== undefined && stride !== '1' && stride !== '1x1') parts.push(`s${stride}`);
  const padding = pairText(options.padding);
  if (padding !== undefined && !/^0(x0)*$/.test(padding)) parts.push(`p${padding}`);
  if (options.dilation !== undefined) parts.push(`d${pairText(options.dilation)}`);
  if (options.groups !== undefined && options.groups !== 1) parts.push(`g${options.groups}`);
  const act = options.activation;
  if (act !== undefined && act !== 'none') parts.push(typeof act === 'string' ? act : `clamp${act.min}..${act.max}`);
  if (bias) parts.push('bias');
  if (outputLayout !== inputLayout) parts.push(`to-${outputLayout.toLowerCase()}`);
  return parts.join('-');
}

/** FNV-1a hash of a string: a stable per-case seed derived from the case's name. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
