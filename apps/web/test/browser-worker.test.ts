/**
 * The page's second shell: runs in its dedicated harness worker (src/harness-worker.ts). On the
 * isolated page the edge tier and a tiny bench run in the worker for cpu-tiled and workers (the
 * workers backend's pool started from inside the worker) and give the checks the main-thread shell
 * gives; while a long cpu-tiled run goes on in the worker the page's main thread keeps answering
 * timers, where the same run on the main thread holds it; its progress reaches the page and cancel stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, openApp, type BrowserSession } from './browser-session.js';

const CONFIGURATIONS = ['cpu-tiled', 'workers'];
/** workers' pool preset: every run on its pool threads, so the bench cannot pass with the pool never started. */
const BENCHED = ['cpu-tiled', 'workers[js,pool]'];
/** Cases of the layers tier whose float64 reference and cpu-tiled run take a few hundred ms each. */
const LONG_CASES = ['layers/resnet-50'];

interface Result {
  case: string;
  backend: string;
  status: string;
  worstRatio?: number;
}

/** Runs the layers tier's LONG_CASES on cpu-tiled while a 10 ms timer chain measures how late the page's timers fire. */
async function probedRun(session: BrowserSession, onMainThread: boolean): Promise<{ ms: number; worstLateMs: number; timers: number; ranOn: string[]; failed: number }> {
  return session.page.evaluate(
    async ([only, main]) => {
      const period = 10;
      const late: number[] = [];
      let running = true;
      let expected = performance.now() + period;
      const tick = (): void => {
        const now = performance.now();
        late.push(now - expected);
        expected = now + period;
        if (running) setTimeout(tick, period);
      };
      setTimeout(tick, period);
      const started = performance.now();
      const report = await (window as any).pointwise.runConformance(['layers'], ['cpu-tiled'], undefined, only, main);
      running = false;
      return {
        ms: performance.now() - started,
        worstLateMs: Math.max(...late),
        timers: late.length,
        ranOn: report.backends.map((b: { ranOn: string }) => b.ranOn),
        failed: report.results.filter((r: { status: string }) => r.status !== 'passed').length,
      };
    },
    [LONG_CASES, onMainThread] as const,
  );
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`apps/web: the harness worker in Chromium${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openApp();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('starts the harness worker, cross-origin isolated like the page, with every backend package loaded', async () => {
    const state = await session.page.evaluate(async () => ({ missing: await (window as any).pointwise.workerShell(), ready: await (window as any).pointwise.harnessWorker() }));
    expect(state.missing).toBeUndefined();
    expect(state.ready).toEqual({ kind: 'ready', missing: [], crossOriginIsolated: true });
  });

  it('runs the edge tier in the worker on cpu-tiled and workers with the results the main-thread shell gives', async () => {
    const [inWorker, onMain] = await session.page.evaluate(async (c) => {
      const p = (window as any).pointwise;
      return [await p.runConformance(['edge'], c), await p.runConformance(['edge'], c, undefined, undefined, true)];
    }, CONFIGURATIONS);
    expect(inWorker.backends.map((b: { name: string; available: boolean; ranOn: string }) => [b.name, b.available, b.ranOn])).toEqual(CONFIGURATIONS.map((c) => [c, true, 'worker']));
    expect(onMain.backends.map((b: { ranOn: string }) => b.ranOn)).toEqual(['main thread', 'main thread']);
    const brief = (r: Result) => [r.case, r.backend, r.status, r.worstRatio];
    expect((inWorker.results as Result[]).filter((r) => r.status !== 'passed')).toEqual([]);
    expect((inWorker.results as Result[]).length).toBeGreaterThan(40);
    // Same cases, same order, same verdicts and the same worst error against the float64 reference.
    expect((inWorker.results as Result[]).map(brief)).toEqual((onMain.results as Result[]).map(brief));
    expect(await session.page.locator('#conformance-matrix').textContent()).toContain('main thread');
  });

  it('runs a tiny bench in the worker (workers pool threads started from inside it), checked as on the main thread', async () => {
    const [inWorker, onMain] = await session.page.evaluate(async (c) => {
      const p = (window as any).pointwise;
      return [await p.runBenchmark('tiny', c, true), await p.runBenchmark('tiny', c, true, false, [], true)];
    }, BENCHED);
    expect(inWorker.contenders.map((c: { name: string; available: boolean }) => [c.name, c.available])).toEqual([...BENCHED, 'naive'].map((n) => [n, true]));
    inWorker.suites[0].layers.forEach(({ measurements }: { measurements: any[] }, l: number) => {
      expect(measurements.map((m) => [m.contender, m.status, m.details?.ranOn, m.details?.callingThread])).toEqual([
        ['cpu-tiled', 'ok', 'worker', 'blocked'],
        ['workers[js,pool]', 'ok', 'worker', 'shared'],
        ['naive', 'ok', 'worker', undefined],
      ]);
      const main = onMain.suites[0].layers[l].measurements;
      expect(main.map((m: any) => m.details?.ranOn)).toEqual(['main thread', 'main thread', 'main thread']);
      // The same check against the reference in both shells: the same elements and worst error/bound.
      expect(measurements.map((m) => [m.accuracy.elements, m.accuracy.failureCount, m.accuracy.worstRatio])).toEqual(main.map((m: any) => [m.accuracy.elements, m.accuracy.failureCount, m.accuracy.worstRatio]));
      // The workers backend ran on its pool threads, started from inside the harness worker, as many as on the page.
      expect([measurements[1].details.dispatch, measurements[1].details.threads]).toEqual(['pool', main[1].details.threads]);
    });
    expect(await session.page.locator('#bench-table').textContent()).toContain('main thread');
  });

  it('shows the worker\'s progress and cancels its run from the page\'s cancel button', async () => {
    const outcome = await session.page.evaluate(async (only) => {
      const run = (window as any).pointwise.runConformance(['layers'], ['cpu-tiled'], undefined, only);
      const progress = document.querySelector<HTMLProgressElement>('#progress')!;
      const status = document.querySelector('#status')!;
      const until = performance.now() + 30_000;
      // Until the worker's first progress message: the status line names the case it finished, "(worker)".
      while (!status.textContent!.endsWith('(worker)') && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
      const runButtons = () => [...document.querySelectorAll<HTMLButtonElement>('#run-conformance, #run-bench')].map((b) => b.disabled);
      const seen = { value: progress.value, max: progress.max, status: status.textContent, runButtonsDisabled: runButtons() };
      document.querySelector<HTMLButtonElement>('#cancel')!.click();
      const report = await run;
      return { seen, report: report ?? null, status: document.querySelector('#status')!.textContent, runButtonsAfter: runButtons() };
    }, LONG_CASES);
    // Progress came from the worker (one case done of the run's cases), and the run ended without a report.
    expect(outcome.seen.value).toBeGreaterThanOrEqual(1);
    expect(outcome.seen.max).toBeGreaterThan(outcome.seen.value);
    expect(outcome.seen.status).toMatch(/\(worker\)$/);
    expect(outcome.report).toBeNull();
    expect(outcome.status).toBe('cancelled');
    // One run at a time: both Run buttons are off during the run and on again after it.
    expect(outcome.seen.runButtonsDisabled).toEqual([true, true]);
    expect(outcome.runButtonsAfter).toEqual([false, false]);
  });

  it('keeps the main thread answering while a long cpu-tiled run goes on in the worker (and not when it runs on the main thread)', async () => {
    const worker = await probedRun(session, false);
    expect(worker.ranOn).toEqual(['worker']);
    expect(worker.failed).toBe(0);
    expect(worker.ms).toBeGreaterThan(500);
    expect(worker.worstLateMs, JSON.stringify(worker)).toBeLessThan(100);
    const main = await probedRun(session, true);
    expect(main.ranOn).toEqual(['main thread']);
    expect(main.worstLateMs, JSON.stringify(main)).toBeGreaterThan(100);
    console.log(`timer lateness during ${LONG_CASES} on cpu-tiled: worst ${worker.worstLateMs.toFixed(1)} ms over ${worker.timers} timers in the worker run (${(worker.ms / 1000).toFixed(1)} s), ${main.worstLateMs.toFixed(1)} ms on the main thread (${(main.ms / 1000).toFixed(1)} s)`);
  });

  it('logged no page errors or failed requests', () => {
    expect(session.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
  });
});
