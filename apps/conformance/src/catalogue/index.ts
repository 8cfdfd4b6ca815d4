import type { CatalogueEntry } from './case.js';
import { catalogueWith, type CatalogueOptions } from './catalogue-core.js';
import { networkCases } from './network.js';

export { catalogueWith, filterEntries, type CatalogueOptions, type NetworkTier } from './catalogue-core.js';

/**
 * The built-in catalogue in Node: the records of the `edge`, `layers`,
 * `network` and `errors` tiers (the network tier's manifest read from the
 * installed face-api package). See {@link catalogueWith}.
 */
export function catalogue(options: CatalogueOptions = {}): CatalogueEntry[] {
  return catalogueWith(networkCases, options);
}
