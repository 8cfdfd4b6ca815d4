import { InvalidArgumentError } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { layerFlops } from './layer.js';
import { layersFromJson, MAX_TENSOR_ELEMENTS, parseShape, parseShapeList } from './shape-grammar.js';

describe('parseShape', () => {
  it('reads Ci x H x W : Co', () => {
    expect(parseShape('512x56x56:1024')).toEqual({ inChannels: 512, height: 56, width: 56, outChannels: 1024 });
  });

  it('reads stride, groups, batch and activation options in any order', () => {
    expect(parseShape('64x28x14:32:relu6:g4:s2:n3')).toEqual({
      inChannels: 64,
      height: 28,
      width: 14,
      outChannels: 32,
      activation: 'relu6',
      groups: 4,
      stride: 2,
      batch: 3,
    });
  });

  it.each([
    ['512x56:1024', '--shape'],
    ['512x56x56', '--shape'],
    ['0x56x56:1024', 'Ci'],
    ['512x56x56:1024:s0', 'stride'],
    ['512x56x56:1024:q2', '--shape option "q2"'],
    ['6x4x4:10:g3', 'groups'],
    ['6x4x4:8:g4', 'groups'],
    ['8x4x4:8:relu:relu6', '--shape activation'],
    ['8x4x4:8:relu:relu', '--shape activation'],
    ['8x4x4:8:s2:s3', '--shape stride'],
    ['8x4x4:8:g2:g4', '--shape groups'],
    ['8x4x4:8:n1:n2', '--shape batch'],
    ['99999x9999x9999:99999', 'layer input N·Ci·H·W'],
    ['1x1x1:999999999', 'layer weights Co·Ci/groups'],
    ['1x32768x16384:2', 'layer output N·Co·Ho·Wo'],
  ])('rejects %s naming %s', (text, parameter) => {
    let error: unknown;
    try {
      parseShape(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).parameter).toBe(parameter);
  });
});

describe('tensor size limit', () => {
  it('accepts a tensor of exactly the limit and names the duplicated option', () => {
    // input 1·2^13·2^16 = 2^29 elements: at the limit; output 1·1·2^16 stays below.
    expect(parseShape(`1x8192x65536:1`)).toMatchObject({ height: 8192, width: 65536 });
    expect(8192 * 65536).toBe(MAX_TENSOR_ELEMENTS);
    expect(() => parseShape('8x4x4:8:s2:s3')).toThrow('--shape stride: expected at most one stride option, got "s2" and "s3"');
  });

  it('applies to shape-file objects too', () => {
    expect(() => layersFromJson([{ ci: 65536, h: 8192, w: 2, co: 1 }])).toThrow(/layer input/);
  });
});

describe('parseShapeList', () => {
  it('makes layers with defaults and names from a comma-separated list', () => {
    const layers = parseShapeList('512x56x56:1024, 256x56x56:512:s2');
    expect(layers.map((l) => l.name)).toEqual(['512→1024 @56²', '256→512 @56² /s2']);
    expect(layers[0]).toMatchObject({ batch: 1, stride: 1, groups: 1, activation: 'none' });
    expect(layerFlops(layers[0])).toBe(2 * 1024 * 512 * 56 * 56);
    // stride 2 on 56: Ho = Wo = 28
    expect(layerFlops(layers[1])).toBe(2 * 512 * 256 * 28 * 28);
  });
});

describe('layersFromJson', () => {
  it('rejects a misspelt key of a layer object, suggesting the known one, instead of running with the default', () => {
    // Was accepted: `strides: 2` ran the layer at stride 1.
    // A name with a control character (ESC, a newline, U+009B) would act on the terminal that prints the table.
    for (const name of ['a\u001b[2Jb', 'two\nlines', 'x\u009by']) {
      expect(() => layersFromJson([{ name, ci: 4, h: 2, w: 2, co: 4 }]), JSON.stringify(name)).toThrow(/^layers\[0\]\.name: expected a string without control characters, received /);
    }
    expect(() => layersFromJson([{ ci: 4, h: 2, w: 2, co: 4, strides: 2 }])).toThrow('layers[0].strides: expected one of the known options (name, ci, h, w, co, stride, groups, batch, activation), received "strides" (did you mean "stride"?)');
    expect(() => layersFromJson([{ ci: 4, h: 2, w: 2, co: 4, Ci: 4 }])).toThrow(InvalidArgumentError);
    expect(layersFromJson([{ ci: 4, h: 2, w: 2, co: 4, stride: 2 }])[0]).toMatchObject({ stride: 2 });
  });

  it('accepts strings and objects, as an array or under "layers"', () => {
    const layers = layersFromJson({ layers: ['16x8x8:32', { name: 'mine', ci: 8, h: 4, w: 2, co: 4, groups: 2, activation: 'relu' }] });
    expect(layers[0].name).toBe('16→32 @8²');
    expect(layers[1]).toMatchObject({ name: 'mine', inChannels: 8, height: 4, width: 2, outChannels: 4, groups: 2, activation: 'relu' });
    expect(layerFlops(layers[1])).toBe(2 * 4 * 4 * 4 * 2);
  });

  it('names the malformed entry', () => {
    expect(() => layersFromJson([{ ci: 8, h: 4, w: 4 }])).toThrow(/layers\[0\]\.co/);
    expect(() => layersFromJson([{ ci: 8, h: 4, w: 4, co: 4, activation: 'gelu' }])).toThrow(/activation/);
    expect(() => layersFromJson([])).toThrow(InvalidArgumentError);
  });
});
