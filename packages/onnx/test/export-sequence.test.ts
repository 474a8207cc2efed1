import {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AvgPool1d,
  Conv1d,
  ConvTranspose2d,
  GRU,
  GroupNorm,
  Linear,
  LSTM,
  MaxPool1d,
  Module,
  MultiheadAttention,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { type ExportableModule, exportOnnx, importOnnx } from '@tessera/onnx';
import { cat, manualSeed, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { flatTensors, ortError, runOrt, worstError } from './helpers.js';

/** An LSTM classifier: the last step's hidden state through a linear head. */
class LstmClassifier extends Module {
  lstm = new LSTM(3, 6, { batchFirst: true, numLayers: 2 });
  head = new Linear(6, 4);
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.call(x) as [Tensor, unknown];
    return this.head.call(out.select(1, out.shape[1]! - 1));
  }
}

/** Self-attention: one input used as query, key and value. */
class SelfAttention extends Module {
  attn = new MultiheadAttention(8, 2, { batchFirst: true });
  forward(x: Tensor): Tensor {
    // The output and the head-averaged weights, as one tensor so the forward stays Tensor -> Tensor.
    const [out, weights] = this.attn.call(x, x, x) as unknown as [Tensor, Tensor];
    return cat([out.flatten(1), weights.flatten(1)], 1);
  }
}

type Testable = ExportableModule & { eval(): unknown };

const encoder = (): Testable =>
  new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 2);

const CASES: [string, () => Testable, () => Tensor[]][] = [
  [
    'ConvTranspose2d (stride 2)',
    () => new ConvTranspose2d(3, 2, 3, { stride: 2 }),
    () => [randn([1, 3, 4, 4])],
  ],
  [
    'ConvTranspose2d (padding, outputPadding)',
    () => new ConvTranspose2d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    () => [randn([2, 2, 5, 5])],
  ],
  ['Conv1d', () => new Conv1d(3, 2, 3, { padding: 1 }), () => [randn([2, 3, 8])]],
  ['GroupNorm', () => new GroupNorm(2, 4), () => [randn([2, 4, 3, 3])]],
  ['AdaptiveAvgPool2d', () => new AdaptiveAvgPool2d([2, 2]), () => [randn([2, 4, 4, 4])]],
  ['AvgPool1d', () => new AvgPool1d(2), () => [randn([2, 4, 6])]],
  ['MaxPool1d', () => new MaxPool1d(2), () => [randn([2, 4, 6])]],
  ['AdaptiveAvgPool1d', () => new AdaptiveAvgPool1d(1), () => [randn([2, 4, 6])]],
  ['GRU (outputs and final state)', () => new GRU(3, 4, { batchFirst: true }), () => [randn([2, 5, 3])]],
  ['LSTM classifier', () => new LstmClassifier(), () => [randn([2, 5, 3])]],
  ['MultiheadAttention', () => new SelfAttention(), () => [randn([2, 5, 8])]],
  ['TransformerEncoder (2 layers)', encoder, () => [randn([2, 5, 8])]],
];

describe('exportOnnx sequence and other layers, checked in onnxruntime-node and round-tripped', () => {
  for (const [name, make, inputs] of CASES) {
    it(name, async () => {
      manualSeed(5);
      const model = make();
      const xs = inputs();
      const err = await ortError(model, xs);
      expect(err).toBeLessThan(1e-4);
      const expected = flatTensors((model as unknown as { call(...t: Tensor[]): unknown }).call(...xs));
      const got = flatTensors(importOnnx(exportOnnx(model, xs)).call(...xs));
      expect(got.length).toBe(expected.length);
      got.forEach((g, i) => {
        expect(worstError(g, expected[i]!)).toBeLessThan(1e-5);
      });
    });
  }
});

describe('exportOnnx checks dynamicAxes at another size', () => {
  it('a graph that keeps the traced batch size is an error, not a broken file', () => {
    manualSeed(10);
    const model = new GRU(3, 4, { batchFirst: true });
    expect(() => exportOnnx(model, randn([2, 5, 3]), { dynamicAxes: { input: [0] } })).toThrow(
      /exportOnnx: dynamicAxes \(input dims \[0\]\): the traced graph (fails|gives different results) at another size/,
    );
  });

  for (const [name, make] of [
    ['MultiheadAttention', () => new SelfAttention()],
    ['TransformerEncoder', encoder],
  ] as [string, () => Testable][]) {
    it(`${name}: a dynamic batch runs in onnxruntime at another batch size`, async () => {
      manualSeed(12);
      const model = make();
      model.eval();
      const bytes = exportOnnx(model, randn([2, 5, 8]), { dynamicAxes: { input: [0], output: [0] } });
      const x = randn([3, 5, 8]);
      const [got] = await runOrt(bytes, [x]);
      const expected = (model as unknown as { call(t: Tensor): Tensor }).call(x);
      expect(worstError(got!, expected)).toBeLessThan(1e-4);
    });
  }

  it('a free sequence length passes the check (Conv1d)', async () => {
    manualSeed(11);
    const model = new Conv1d(3, 2, 3, { padding: 1 });
    const bytes = exportOnnx(model, randn([2, 3, 8]), { dynamicAxes: { input: [0, 2], output: [0, 2] } });
    const x = randn([4, 3, 11]);
    const [got] = await runOrt(bytes, [x]);
    expect(worstError(got!, model.call(x))).toBeLessThan(1e-4);
  });
});
