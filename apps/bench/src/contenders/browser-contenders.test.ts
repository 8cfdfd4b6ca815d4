/**
 * The page's peer contenders are environment-neutral: the shell hands them the engine. Here Node
 * hands them TF.js's cpu backend and ONNX Runtime for Node (onnxruntime-web's API), so the code
 * the page runs is checked against the float64 reference by the same harness, with real values.
 */
import { buildOnnxConvModel } from '@pointwise/conformance';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadContenders, runSuites } from '../harness.js';
import { makeLayer, type Suite } from '../layer.js';
import type { MeasurementSettings } from '../results.js';
import { BrowserOrtContender, type OrtWebApi } from './browser-ort.js';
import { BrowserTfjsContender } from './browser-tfjs.js';

const SUITE: Suite = {
  name: 'browser-peers',
  description: 'two small layers, one strided with relu6',
  layers: [makeLayer({ inChannels: 8, outChannels: 12, height: 5, width: 5 }), makeLayer({ inChannels: 16, outChannels: 4, height: 6, width: 6, stride: 2, activation: 'relu6' })],
};
const SETTINGS: MeasurementSettings = { repeat: 3, minTimeMs: 0, maxTimeMs: 1000, minSamplesAtCap: 3, maxSamples: 3, warmupMs: 0 };

describe('browser peer contenders, given Node engines', () => {
  it('run, are checked against the reference and stamp their settings', async () => {
    const tfjs = new BrowserTfjsContender('cpu', async () => {
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      return { tf, backendVersion: tf.version_core, settings: () => ({ shell: 'node' }) };
    });
    const ortWasm = new BrowserOrtContender('wasm', async () => ({ ort: ort as unknown as OrtWebApi, version: 'node', buildModel: buildOnnxConvModel, settings: { threads: 1 } }));
    const ortGpu = new BrowserOrtContender('webgpu', async () => ({ ort: ort as unknown as OrtWebApi, version: 'node', buildModel: buildOnnxConvModel, unavailable: 'no WebGPU adapter' }));
    const { ready, statuses } = await loadContenders([tfjs, ortWasm, ortGpu]);
    expect(statuses.map((s) => [s.name, s.available, s.reason])).toEqual([
      ['tfjs-cpu', true, undefined],
      ['ort-wasm', true, undefined],
      ['ort-webgpu', false, 'no WebGPU adapter'],
    ]);
    expect(tfjs.version).toBe('4.22.0');
    // onnxruntime-node names its providers differently; map the page's 'wasm' to its 'cpu'.
    const create = ort.InferenceSession.create.bind(ort.InferenceSession);
    const providers: unknown[] = [];
    (ort.InferenceSession as unknown as { create: unknown }).create = (model: Uint8Array, options: { executionProviders: string[] }) => {
      providers.push(options.executionProviders);
      return create(model, { ...options, executionProviders: ['cpu'] });
    };
    try {
      const [suite] = await runSuites([SUITE], ready, { settings: SETTINGS, layouts: ['NCHW'], seed: 3 });
      for (const { layer, measurements } of suite.layers) {
        expect(measurements.map((m) => m.contender)).toEqual(['tfjs-cpu', 'ort-wasm']);
        for (const m of measurements) {
          expect(m.status, `${layer.name} ${m.contender}: ${m.reason}`).toBe('ok');
          expect(m.accuracy?.failureCount).toBe(0);
          expect(m.accuracy?.worstRatio).toBeLessThanOrEqual(1);
          expect(m.samplesMs).toHaveLength(3);
        }
        expect(measurements[0].details).toEqual({ backend: 'cpu', threads: 1, kernel: 'js', shell: 'node' });
        expect(measurements[1].details).toMatchObject({ provider: 'wasm', kernel: 'mlas', threads: 1, activation: layer.activation === 'none' ? 'none' : 'clip-node' });
        expect(measurements[1].inputLayout).toBe('NCHW');
      }
      expect(providers).toEqual([['wasm'], ['wasm']]);
    } finally {
      (ort.InferenceSession as unknown as { create: unknown }).create = create;
      for (const c of ready) await c.dispose();
    }
  });
});
