import {
  checkOptions,
  describeOptionValue,
  suggestOption,
  tensor,
  unknownOptionError,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const spec = {
  batchFirst: 'boolean',
  shuffle: 'boolean',
  padding: { type: 'integer|array', oneOf: ['same', 'valid'] },
  reduction: ['mean', 'sum', 'none'],
  lr: 'finite',
  weight: 'tensor|null',
  callback: 'function',
  anything: 'any',
} as const;

describe('checkOptions', () => {
  it('accepts known keys with values of the right kind, and undefined values', () => {
    const o = { batchFirst: true, padding: 'same', reduction: 'sum', lr: 0.1, weight: tensor([1]) };
    expect(checkOptions('Layer', o, spec)).toBe(o);
    expect(checkOptions('Layer', { padding: [1, 2], weight: null, shuffle: undefined }, spec)).toBeDefined();
    expect(checkOptions('Layer', { anything: Symbol('x'), callback: () => 1 }, spec)).toBeDefined();
    expect(checkOptions('Layer', undefined, spec)).toEqual({});
  });

  it('suggests camelCase for snake_case keys', () => {
    expect(() => checkOptions('LSTM', { batch_first: true }, spec)).toThrow(
      /^LSTM: unknown option 'batch_first', did you mean 'batchFirst'\? \(known options: batchFirst, shuffle, /,
    );
  });

  it('suggests near misses by edit distance', () => {
    expect(() => checkOptions('DataLoader', { shufle: true }, spec)).toThrow(
      "DataLoader: unknown option 'shufle', did you mean 'shuffle'?",
    );
    expect(suggestOption('paddding', ['stride', 'padding', 'dilation'])).toBe('padding');
    expect(suggestOption('BATCHFIRST', ['batchFirst'])).toBe('batchFirst');
    expect(suggestOption('zzzzzzzz', ['padding'])).toBeUndefined();
    expect(suggestOption('train', ['generator', 'training'])).toBe('training');
    expect(suggestOption('bia', ['bias', 'dtype'])).toBe('bias');
  });

  it('lists the known keys when nothing is close', () => {
    expect(() => checkOptions('Layer', { wholly_unrelated: 1 }, { a: 'number' })).toThrow(
      /^Layer: unknown option 'wholly_unrelated' \(known options: a\)$/,
    );
    expect(unknownOptionError('f', 'x', []).message).toBe("f: unknown option 'x' (it takes no options)");
  });

  it('rejects wrong types, naming the option and the value', () => {
    expect(() => checkOptions('Linear', { bias: 'no' }, { bias: 'boolean' })).toThrow(
      /^Linear: option 'bias' must be a boolean, got the string "no"$/,
    );
    expect(() => checkOptions('L', { lr: Number.NaN }, spec)).toThrow(
      "option 'lr' must be a finite number, got NaN",
    );
    expect(() => checkOptions('L', { lr: Infinity }, spec)).toThrow(TypeError);
    expect(() => checkOptions('L', { padding: 1.5 }, spec)).toThrow(
      "L: option 'padding' must be an integer, an array or one of 'same', 'valid', got 1.5",
    );
    expect(() => checkOptions('L', { reduction: 'avg' }, spec)).toThrow(RangeError);
    expect(() => checkOptions('L', { reduction: 'avg' }, spec)).toThrow(
      "L: option 'reduction' must be one of 'mean', 'sum', 'none', got the string \"avg\"",
    );
    expect(() => checkOptions('L', { weight: [1, 2] }, spec)).toThrow(
      'must be a Tensor or null, got an array',
    );
    expect(() => checkOptions('L', { callback: 1 }, spec)).toThrow('must be a function, got 1');
  });

  it('rejects options that are not a plain object', () => {
    expect(() => checkOptions('zeros', 3 as never, spec)).toThrow('zeros: options must be an object, got 3');
    expect(() => checkOptions('zeros', null as never, spec)).toThrow('got null');
    expect(() => checkOptions('zeros', [1] as never, spec)).toThrow('got an array');
    expect(() => checkOptions('zeros', tensor([1]) as never, spec)).toThrow('got a Tensor');
  });

  it('does not accept inherited keys as known', () => {
    expect(() => checkOptions('L', { toString: 1 }, spec)).toThrow("unknown option 'toString'");
  });

  it('fails loudly on a misspelt kind in a spec', () => {
    expect(() => checkOptions('L', { a: 1 }, { a: 'numbr' })).toThrow(
      "internal error: option 'a' has unknown kind 'numbr'",
    );
  });

  it('describes values', () => {
    expect(describeOptionValue(new Map())).toBe('a Map');
    expect(describeOptionValue({})).toBe('an object');
    expect(describeOptionValue(undefined)).toBe('undefined');
  });
});

describe('tensor ops with options objects reject unknown names', () => {
  it('conv, pooling, unfold and fold', async () => {
    const { avgPool2d, conv1d, conv2d, convTranspose2d, fold, maxPool2d, unfold, zeros } = await import(
      '@tessera/tensor'
    );
    const x = zeros([1, 1, 4, 4]);
    const w = zeros([1, 1, 2, 2]);
    expect(() => conv2d(x, w, null, { paddding: 1 } as never)).toThrow(
      "conv2d: unknown option 'paddding', did you mean 'padding'?",
    );
    expect(() => conv1d(zeros([1, 1, 4]), zeros([1, 1, 2]), null, { strides: 1 } as never)).toThrow(
      "conv1d: unknown option 'strides', did you mean 'stride'?",
    );
    expect(() => convTranspose2d(x, w, null, { output_padding: 1 } as never)).toThrow(
      "did you mean 'outputPadding'?",
    );
    expect(() => maxPool2d(x, 2, { ceil_mode: true } as never)).toThrow(
      "maxPool2d: unknown option 'ceil_mode', did you mean 'ceilMode'?",
    );
    expect(() => maxPool2d(x, 2, { countIncludePad: true } as never)).toThrow(
      "maxPool2d: unknown option 'countIncludePad'",
    );
    expect(() => avgPool2d(x, 2, { count_include_pad: false } as never)).toThrow(
      "did you mean 'countIncludePad'?",
    );
    expect(() => unfold(x, 2, { dilations: 1 } as never)).toThrow("unfold: unknown option 'dilations'");
    expect(() => fold(zeros([1, 4, 9]), [4, 4], 2, { bogus: 1 } as never)).toThrow(
      "fold: unknown option 'bogus'",
    );
    expect(avgPool2d(x, 2, { countIncludePad: false }).shape).toEqual([1, 1, 2, 2]);
  });
});
