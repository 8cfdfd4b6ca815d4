import type { Conv1x1Problem, Tensor } from '@pointwise/core';

/** Activation fused into a benchmarked layer (the ones every peer can fuse or append). */
export type LayerActivation = 'none' | 'relu' | 'relu6';

/**
 * The data a layer runs on: weights `[Co, Ci/groups]` row-major, bias `[Co]`
 * or `null`, and the input `[N, Ci, H, W]` (any layout; the harness converts).
 */
export interface LayerData {
  readonly weights: Float32Array;
  readonly bias: Float32Array | null;
  readonly input: Tensor;
}

/** The shape of a benchmarked 1×1 convolution (no padding; stride on both axes). */
export interface LayerShape {
  /** Short label for tables and charts, e.g. `96→24 @56²`. */
  readonly name: string;
  readonly batch: number;
  readonly inChannels: number;
  readonly height: number;
  readonly width: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly groups: number;
  readonly activation: LayerActivation;
  /**
   * The size sweeps this layer belongs to (the `crossover` suite: `Ci=Co @28²`, `H×W 64→64`); the
   * report charts each sweep as GFLOP/s against FLOPs and marks where the fastest contender changes.
   */
  readonly sweeps?: readonly string[];
}

/**
 * One benchmarked 1×1 convolution: input `[N, Ci, H, W]`, `Co` filters,
 * stride (both axes), groups, no padding. `load` supplies real data (weights
 * and activations of a network); without it the harness generates seeded
 * pseudo-random data.
 */
export interface BenchLayer extends LayerShape {
  /** Real weights and input; absent for synthetic layers. */
  readonly load?: () => Promise<LayerData>;
}

/** A named list of layers. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  readonly layers: readonly BenchLayer[];
}

/** Fields of a layer; everything but the sizes is optional. */
export interface LayerSpec {
  readonly name?: string;
  readonly batch?: number;
  readonly inChannels: number;
  readonly height: number;
  readonly width: number;
  readonly outChannels: number;
  readonly stride?: number;
  readonly groups?: number;
  readonly activation?: LayerActivation;
  readonly sweeps?: readonly string[];
}

/** Output height and width: `floor((H − 1) / s) + 1` (no padding, 1×1 kernel). */
export function outputSize(layer: Pick<BenchLayer, 'height' | 'width' | 'stride'>): [number, number] {
  return [Math.floor((layer.height - 1) / layer.stride) + 1, Math.floor((layer.width - 1) / layer.stride) + 1];
}

/** FLOPs of a layer: `2·N·Co·(Ci/groups)·Ho·Wo` (README “The operation”). */
export function layerFlops(layer: BenchLayer): number {
  const [ho, wo] = outputSize(layer);
  return 2 * layer.batch * layer.outChannels * (layer.inChannels / layer.groups) * ho * wo;
}

/**
 * The default label: `Ci→Co @H²` (or `@H×W`), with `/s`, `g` and batch
 * suffixes only where they differ from 1.
 */
export function defaultLayerName(spec: LayerSpec): string {
  const size = spec.height === spec.width ? `${spec.height}²` : `${spec.height}×${spec.width}`;
  let name = `${spec.inChannels}→${spec.outChannels} @${size}`;
  if ((spec.stride ?? 1) !== 1) name += ` /s${spec.stride}`;
  if ((spec.groups ?? 1) !== 1) name += ` g${spec.groups}`;
  if ((spec.batch ?? 1) !== 1) name += ` ×${spec.batch}`;
  return name;
}

/** Fills a spec's defaults (batch 1, stride 1, groups 1, no activation, default name). */
export function makeLayer(spec: LayerSpec, load?: () => Promise<LayerData>): BenchLayer {
  return {
    name: spec.name ?? defaultLayerName(spec),
    batch: spec.batch ?? 1,
    inChannels: spec.inChannels,
    height: spec.height,
    width: spec.width,
    outChannels: spec.outChannels,
    stride: spec.stride ?? 1,
    groups: spec.groups ?? 1,
    activation: spec.activation ?? 'none',
    ...(spec.sweeps ? { sweeps: [...spec.sweeps] } : {}),
    ...(load ? { load } : {}),
  };
}

/**
 * The core problem of a layer on an input (its shape and layout), with
 * weights `[Co, Ci/groups]` and bias `[Co]` or `null`; the output layout is
 * the input's.
 */
export function layerProblem(layer: BenchLayer, input: Tensor, weights: Float32Array, bias: Float32Array | null): Conv1x1Problem {
  return {
    inputShape: input.shape,
    inputLayout: input.layout,
    weights: { data: weights, shape: [layer.outChannels, layer.inChannels / layer.groups] },
    bias,
    stride: layer.stride,
    groups: layer.groups,
    activation: layer.activation,
  };
}
