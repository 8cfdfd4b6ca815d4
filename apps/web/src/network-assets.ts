/**
 * The real network's files as this build serves them (see `ssdMobilenetV1Assets` in
 * vite.config.ts): the SSD-MobileNetV1 manifest, its shards and face-api's demo photographs, copied
 * from the installed package into `dist/assets/`. The network tier fetches them from the page's own
 * origin, lazily: only a run that asks for the network tier loads them (5.6 MB of weights).
 */
import assets from 'virtual:ssd-mobilenet-v1-assets';
import { loadBrowserNetworkTier, type BrowserNetworkTier } from '@pointwise/conformance/harness';

export const NETWORK_ASSETS = assets;

let tier: Promise<BrowserNetworkTier> | undefined;

/** The page's network tier (manifest fetched, the `ssd-mobilenet-v1` data source's loader set), once. */
export function browserNetworkTier(): Promise<BrowserNetworkTier> {
  tier ??= loadBrowserNetworkTier(assets);
  tier.catch(() => (tier = undefined));
  return tier;
}
