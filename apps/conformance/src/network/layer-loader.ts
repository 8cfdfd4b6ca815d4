import type { PointwiseLayer, SsdMobilenetV1Source } from './ssd-network.js';

/** What the `ssd-mobilenet-v1` data source reads its tensors from: the 1×1 layers of a network run. */
export type SsdLayerLoader = (source: SsdMobilenetV1Source) => Promise<readonly PointwiseLayer[]>;

let registered: SsdLayerLoader | undefined;

/**
 * Sets the loader behind the `ssd-mobilenet-v1` data source for this realm (a page sets the
 * browser loader: `loadBrowserNetworkTier` does it); `undefined` restores the default, the Node
 * loader (`loadSsdMobilenetV1PointwiseLayers`, imported lazily: it reads the installed package).
 */
export function setSsdLayerLoader(loader: SsdLayerLoader | undefined): void {
  registered = loader;
}

/** The loader set by {@link setSsdLayerLoader}, if any. */
export function ssdLayerLoader(): SsdLayerLoader | undefined {
  return registered;
}
