/**
 * The production build in real Chromium, cross-origin isolated: what a web developer who
 * bundles Pointwise with Vite gets. Skipped (with the reason) only where Chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, CHROMIUM_MISSING, openApp, type BrowserSession } from './browser-session.js';

interface Listing {
  name: string;
  available: boolean;
  reason?: string;
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`apps/web production build in Chromium${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;

  beforeAll(async () => {
    await buildApp();
    session = await openApp();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('is cross-origin isolated and lists workers available', async () => {
    const { isolated, listing } = await session.page.evaluate(async () => ({
      isolated: crossOriginIsolated,
      listing: JSON.parse(JSON.stringify(await (window as any).pointwise.list())) as Listing[],
    }));
    expect(isolated).toBe(true);
    expect(listing.find((l) => l.name === 'workers')).toMatchObject({ available: true });
    expect(listing.find((l) => l.name === 'cpu-tiled')).toMatchObject({ available: true });
  });

  it('selects workers automatically on a large layer (its bundled worker chunk loads) and matches the reference', async () => {
    const probe = await session.page.evaluate(() => (window as any).pointwise.probeAutomaticSelection(256, 256, 32));
    expect(probe.skipped.filter((s: { backend: string }) => s.backend.startsWith('workers'))).toEqual([]);
    expect(probe.backend).toBe('workers');
    expect(probe.details.dispatch).toBe('pool');
    expect(probe.elements).toBe(256 * 32 * 32);
    expect(probe.failureCount).toBe(0);
    expect(probe.worstRatio).toBeLessThanOrEqual(1);
  });
});
