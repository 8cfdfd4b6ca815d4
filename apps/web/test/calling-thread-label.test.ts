import { describe, expect, it } from 'vitest';
import { PEER_CALLING_THREAD, callingThreadLabel, contenderCallingThreadLabel } from '../src/calling-thread-label.js';

describe('the "main thread" column', () => {
  it('labels core’s callingThreadUse values, a dash when absent', () => {
    expect(callingThreadLabel('blocked')).toBe('blocked for the whole run');
    expect(callingThreadLabel('free')).toBe('free (awaits other threads)');
    expect(callingThreadLabel(undefined)).toBe('—');
  });

  it('peers that run synchronous wasm/JS on the calling thread show blocked; GPU peers stay a dash', () => {
    // The page's BROWSER_PEERS (browser-peers.ts, not imported: it needs Vite's version constants).
    const BROWSER_PEERS = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu', 'ort-wasm', 'ort-webgpu'];
    expect(BROWSER_PEERS.map((peer) => [peer, contenderCallingThreadLabel(peer, undefined)])).toEqual([
      ['tfjs-cpu', 'blocked for the whole run'],
      ['tfjs-wasm', 'blocked for the whole run'],
      ['tfjs-webgl', '—'],
      ['tfjs-webgpu', '—'],
      ['ort-wasm', 'blocked for the whole run'],
      ['ort-webgpu', '—'],
    ]);
    for (const name of Object.keys(PEER_CALLING_THREAD)) expect(BROWSER_PEERS).toContain(name);
  });

  it('a declared value wins; a backend without one and an unknown contender show a dash', () => {
    expect(contenderCallingThreadLabel('workers[threads=2]', 'shared')).toBe('computes a share, or small runs');
    expect(contenderCallingThreadLabel('tfjs-wasm', 'free')).toBe('free (awaits other threads)');
    expect(contenderCallingThreadLabel('naive', undefined)).toBe('—');
    expect(contenderCallingThreadLabel('constructor', undefined)).toBe('—');
  });
});
