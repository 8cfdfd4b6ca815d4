import type { Contender } from './contender.js';
import { BENCH_VERSION } from '../package-version.js';
import { NaiveContender } from './naive-contender.js';
import { OrtContender } from './ort-contender.js';
import { TfjsContender } from './tfjs-contender.js';

/** `--backends` names of the peers, in the order the report lists them. */
export const PEER_NAMES = ['naive', 'tfjs-cpu', 'tfjs-wasm', 'ort-1t', 'ort-mt'] as const;

/** A peer's `--backends` name. */
export type PeerName = (typeof PEER_NAMES)[number];

/** Whether `name` is a peer's `--backends` name. */
export function isPeerName(name: string): name is PeerName {
  return (PEER_NAMES as readonly string[]).includes(name);
}

/**
 * Creates a peer contender (not loaded yet).
 * @param threads intra-op threads of the multi-threaded peer (`ort-mt`).
 */
export function createPeer(name: PeerName, threads: number): Contender {
  switch (name) {
    case 'naive':
      return new NaiveContender(BENCH_VERSION);
    case 'tfjs-cpu':
      return new TfjsContender('cpu');
    case 'tfjs-wasm':
      return new TfjsContender('wasm');
    case 'ort-1t':
      return new OrtContender('ort-1t', 1);
    case 'ort-mt':
      return new OrtContender('ort-mt', threads);
  }
}
