import type { Wisdom, WisdomImportReport } from './wisdom.js';

/** Where wisdom is kept between runs: any store of one JSON string. */
export interface WisdomStore {
  /** The stored JSON, or `null` when nothing is stored yet. */
  load(): Promise<string | null>;
  save(json: string): Promise<void>;
}

/**
 * A store in the browser's `localStorage` under `key` (opt-in; wisdom is kept
 * in memory otherwise). In Node, use a file: `@pointwise/core/node`'s
 * `fileWisdomStore(path)`.
 * @throws {Error} from `load`/`save` where `localStorage` does not exist or refuses.
 */
export function localStorageWisdomStore(key = 'pointwise-wisdom'): WisdomStore {
  const storage = () => {
    const s = (globalThis as { localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;
    if (!s) throw new Error('localStorage is not available in this environment');
    return s;
  };
  return {
    load: async () => storage().getItem(key),
    save: async (json) => storage().setItem(key, json),
  };
}

/**
 * Loads a store's wisdom into `wisdom` (ignoring, with reasons, entries made
 * for another environment or library version).
 * @returns what was accepted and ignored; nothing when the store is empty.
 */
export async function loadWisdom(wisdom: Wisdom, store: WisdomStore): Promise<WisdomImportReport> {
  const json = await store.load();
  return json === null ? { accepted: 0, ignored: [] } : wisdom.import(json);
}

/** Saves every decision of `wisdom` to `store`. */
export async function saveWisdom(wisdom: Wisdom, store: WisdomStore): Promise<void> {
  await store.save(wisdom.export());
}
