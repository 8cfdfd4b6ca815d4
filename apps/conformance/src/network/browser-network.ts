import type { NetworkTier } from '../catalogue/catalogue-core.js';
import { filterChannelsOf, networkCasesWith, type SsdManifest } from '../catalogue/network-core.js';
import { setSsdLayerLoader } from './layer-loader.js';
import { preprocessPhoto, type DecodedPhoto } from './photo-preprocess.js';
import { buildSsdMobilenetV1PointwiseLayers, cachedLayerLoader, type PointwiseLayer, type SsdMobilenetV1Source } from './ssd-network.js';
import { concatBytes, parseTfjsWeightGroup, type ManifestGroup, type NamedWeight } from './tfjs-weights-parse.js';

/**
 * Where a page serves the real network's files (URLs, e.g. a bundler's `?url` imports of the
 * installed `@vladmandic/face-api` package's `model/` and `demo/` files).
 */
export interface SsdMobilenetV1Assets {
  /** `model/ssd_mobilenetv1_model-weights_manifest.json`. */
  readonly manifest: string;
  /** Each shard the manifest lists (`paths`, e.g. `ssd_mobilenetv1_model.bin`) → its URL. */
  readonly shards: Readonly<Record<string, string>>;
  /** Photographs by file name (`sample1.jpg` …) → URL. */
  readonly images: Readonly<Record<string, string>>;
}

/** Decodes an image file's bytes to pixels. */
export type PhotoDecoder = (bytes: ArrayBuffer, name: string) => Promise<DecodedPhoto>;

export interface BrowserNetworkOptions {
  /** Default `globalThis.fetch`. */
  readonly fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  /** Default {@link decodePhotoInBrowser}: the browser's own decoder. */
  readonly decode?: PhotoDecoder;
}

/** The network tier of a page: its case maker for `catalogueWith`, and the loader behind its data. */
export interface BrowserNetworkTier {
  /** `catalogueWith`'s network case maker (the manifest is fetched already). */
  readonly networkCases: NetworkTier;
  /** The photographs served. */
  readonly images: readonly string[];
  /** The 1×1 layers with their real inputs and TF.js's outputs (cached per image and size). */
  load(source?: SsdMobilenetV1Source): Promise<readonly PointwiseLayer[]>;
}

/**
 * Decodes a photograph with the browser's own decoder: `createImageBitmap` (no colour-space
 * conversion, no premultiplication, no orientation change, so the pixels are the file's) drawn on
 * an `OffscreenCanvas` (or a `<canvas>`) and read back with `getImageData` as RGBA.
 */
export async function decodePhotoInBrowser(bytes: ArrayBuffer): Promise<DecodedPhoto> {
  const bitmap = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  try {
    const { width, height } = bitmap;
    const canvas: OffscreenCanvas | HTMLCanvasElement =
      typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
    const context = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (context === null) throw new Error('decodePhotoInBrowser: no 2d canvas context');
    context.drawImage(bitmap, 0, 0);
    return { width, height, channels: 4, data: context.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

/**
 * The real-network tier in a page: fetches the SSD-MobileNetV1 manifest from `assets`, sets the
 * `ssd-mobilenet-v1` data source's loader ({@link setSsdLayerLoader}) to one that fetches the
 * shards and the photograph, decodes it ({@link decodePhotoInBrowser} by default), prepares it as
 * the Node loader does (`preprocessPhoto`: pad to a square, TF.js `resizeBilinear`, `v/127.5 − 1`)
 * and runs the same network definition (`buildSsdMobilenetV1PointwiseLayers`) on TensorFlow.js's
 * cpu backend (imported lazily). Nothing is fetched from outside `assets`.
 *
 * @throws {Error} when a file cannot be fetched or the manifest names a shard `assets` lacks.
 */
export async function loadBrowserNetworkTier(assets: SsdMobilenetV1Assets, options: BrowserNetworkOptions = {}): Promise<BrowserNetworkTier> {
  const get = options.fetch ?? ((url: string) => globalThis.fetch(url));
  const decode = options.decode ?? decodePhotoInBrowser;
  const bytesOf = async (url: string): Promise<ArrayBuffer> => {
    const response = await get(url);
    if (!response.ok) throw new Error(`SSD-MobileNetV1: ${url}: HTTP ${response.status}`);
    return response.arrayBuffer();
  };
  const groups = JSON.parse(new TextDecoder().decode(await bytesOf(assets.manifest))) as ManifestGroup[];
  const channels = filterChannelsOf(groups as unknown as SsdManifest);

  let weights: Promise<Map<string, NamedWeight>> | undefined;
  const loadWeights = async (): Promise<Map<string, NamedWeight>> => {
    const out = new Map<string, NamedWeight>();
    for (const group of groups) {
      const shards = await Promise.all(
        group.paths.map(async (path) => {
          const url = assets.shards[path];
          if (url === undefined) throw new Error(`SSD-MobileNetV1 manifest: shard ${path} is not served (served: ${Object.keys(assets.shards).join(', ')})`);
          return new Uint8Array(await bytesOf(url));
        }),
      );
      parseTfjsWeightGroup(group, concatBytes(shards), assets.manifest, out);
    }
    return out;
  };

  const build = async (image: string, inputSize: number): Promise<readonly PointwiseLayer[]> => {
    const url = assets.images[image];
    if (url === undefined) throw new Error(`SSD-MobileNetV1: photograph ${image} is not served (served: ${Object.keys(assets.images).join(', ')})`);
    weights ??= loadWeights();
    weights.catch(() => (weights = undefined));
    const [{ tfjsCpu }, named, decoded] = await Promise.all([import('../witnesses/tfjs-runtime.js'), weights, bytesOf(url).then((b) => decode(b, image))]);
    const tf = await tfjsCpu();
    return buildSsdMobilenetV1PointwiseLayers(tf, named, preprocessPhoto(tf, decoded, inputSize));
  };
  const load = cachedLayerLoader(build);
  setSsdLayerLoader(load);
  return { networkCases: (source) => networkCasesWith(channels, source), images: Object.keys(assets.images), load };
}
