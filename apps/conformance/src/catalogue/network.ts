import { readFileSync } from 'node:fs';
import type { ConformanceCase } from './case.js';
import { faceApiFile } from '../network/face-api-files.js';
import type { SsdMobilenetV1Source } from '../network/ssd-network.js';
import { filterChannelsOf, networkCasesWith, type SsdManifest } from './network-core.js';

let channels: Map<string, readonly number[]> | undefined;

/** `[Ci, Co]` of each 1×1 filter in the manifest (read once, synchronously: catalogue generation is data). */
function filterChannels(): Map<string, readonly number[]> {
  channels ??= filterChannelsOf(JSON.parse(readFileSync(faceApiFile('model/ssd_mobilenetv1_model-weights_manifest.json'), 'utf8')) as SsdManifest);
  return channels;
}

/**
 * The network tier: each 1×1 layer of SSD-MobileNetV1 fed its real input
 * (the photograph through the preceding layers), with TensorFlow.js's output
 * as the expected result (within twice the bound: both are float32 engines).
 * The manifest is read from the installed package (`networkCasesWith`).
 */
export function networkCases(source: SsdMobilenetV1Source = {}): ConformanceCase[] {
  return networkCasesWith(filterChannels(), source);
}
