import {
  generateSquareSubsequentMask,
  LayerNorm,
  type Module,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
} from '@tessera/nn';
import { randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { TRANSFORMER_REF } from './fixtures/transformer-reference.js';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };

/** Fills every state-dict entry as the reference script did: 0.3 sin(1.1 i + 0.7 ki) (+1 for norm weights). */
function fill(m: {
  stateDict(): Record<string, Tensor>;
  loadStateDict(d: Record<string, Tensor>): unknown;
}): string[] {
  const sd = m.stateDict();
  const keys = Object.keys(sd);
  const out: Record<string, Tensor> = {};
  keys.forEach((k, ki) => {
    const t = sd[k]!;
    const norm = /norm\d?\.weight$/.test(k);
    const v = Array.from(
      { length: t.numel() },
      (_, i) => 0.3 * Math.sin(1.1 * i + 0.7 * ki) + (norm ? 1 : 0),
    );
    out[k] = tensor(v, { ...f64, shape: t.shape });
  });
  m.loadStateDict(out);
  return keys;
}

/** n values f(i), i = 0..n-1, as a float64 tensor of `shape`. */
function seq(shape: readonly number[], f: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => f(i)),
    { ...f64, shape },
  );
}

describe('generateSquareSubsequentMask', () => {
  it('is -Infinity above the diagonal and 0 elsewhere, as PyTorch', () => {
    const m = generateSquareSubsequentMask(4);
    expect(m.dtype).toBe('float32');
    expect(flat(m).map(String)).toEqual(TRANSFORMER_REF.mask.map((s) => (s === '-inf' ? '-Infinity' : '0')));
    expect(flat(Transformer.generateSquareSubsequentMask(2, f64))).toEqual([
      0,
      Number.NEGATIVE_INFINITY,
      0,
      0,
    ]);
    expect(() => generateSquareSubsequentMask(0)).toThrow(
      /generateSquareSubsequentMask: sz must be a positive integer/,
    );
  });
});

describe('Transformer matches PyTorch 1.13 for a fixed state dict', () => {
  it('has PyTorch state-dict keys and output / gradients (causal tgt mask, padding masks)', () => {
    const m = new Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 2,
      numDecoderLayers: 2,
      dimFeedforward: 16,
      dropout: 0,
      dtype: 'float64',
    });
    const ref = TRANSFORMER_REF.transformer;
    expect(fill(m)).toEqual(ref.keys);
    const src = seq([5, 2, 8], (i) => Math.cos(0.37 * i)).requiresGrad_();
    const tgt = seq([4, 2, 8], (i) => Math.sin(0.53 * i)).requiresGrad_();
    const pad = tensor([false, false, false, false, false, false, false, false, true, true], {
      shape: [2, 5],
    });
    const y = m.call(src, tgt, {
      tgtMask: generateSquareSubsequentMask(4, f64),
      srcKeyPaddingMask: pad,
      memoryKeyPaddingMask: pad,
    });
    expect(y.shape).toEqual([4, 2, 8]);
    y.mul(seq(y.shape, (i) => Math.cos(0.1 * i)))
      .sum()
      .backward();
    expectClose(flat(y), ref.y, 1e-9, 1e-8);
    expectClose(flat(src.grad!), ref.gsrc, 1e-9, 1e-8);
    expectClose(flat(tgt.grad!), ref.gtgt, 1e-9, 1e-8);
  });

  it('TransformerDecoderLayer with batchFirst, normFirst and gelu', () => {
    const d = new TransformerDecoderLayer(8, 4, {
      dimFeedforward: 12,
      dropout: 0,
      activation: 'gelu',
      batchFirst: true,
      normFirst: true,
      dtype: 'float64',
    });
    const ref = TRANSFORMER_REF.decoderLayer;
    expect(fill(d)).toEqual(ref.keys);
    const tgt = seq([2, 3, 8], (i) => Math.sin(0.29 * i + 0.5)).requiresGrad_();
    const mem = seq([2, 5, 8], (i) => Math.cos(0.41 * i)).requiresGrad_();
    const y = d.call(tgt, mem, { tgtMask: generateSquareSubsequentMask(3, f64) });
    y.mul(seq(y.shape, (i) => Math.cos(0.1 * i)))
      .sum()
      .backward();
    expectClose(flat(y), ref.y, 1e-9, 1e-8);
    expectClose(flat(tgt.grad!), ref.gtgt, 1e-9, 1e-8);
    expectClose(flat(mem.grad!), ref.gmem, 1e-9, 1e-8);
  });
});

describe('TransformerDecoder', () => {
  it('stacks deep copies with an optional norm; tgtIsCausal equals the explicit mask; gradcheck', () => {
    const layer = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, dtype: 'float64' });
    const dec = new TransformerDecoder(layer, 2, { norm: new LayerNorm(4, f64) });
    const keys = Object.keys(dec.stateDict());
    expect(keys[0]).toBe('layers.0.self_attn.in_proj_weight');
    expect(keys).toContain('layers.1.multihead_attn.out_proj.bias');
    expect(keys.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    expect(dec.layers.at(0)).not.toBe(dec.layers.at(1));
    const tgt = randn([3, 2, 4], f64);
    const mem = randn([5, 2, 4], f64);
    const a = dec.call(tgt, mem, { tgtMask: generateSquareSubsequentMask(3, f64) });
    const b = dec.call(tgt, mem, { tgtIsCausal: true });
    expectClose(flat(a), flat(b), 1e-12);
    expect(dec.call(tgt.select(1, 0), mem.select(1, 0)).shape).toEqual([3, 4]);
    const small = new TransformerDecoder(layer, 1);
    expect(
      gradcheckModule(small as unknown as Module, [
        randn([2, 1, 4], f64).requiresGrad_(),
        randn([3, 1, 4], f64).requiresGrad_(),
      ]),
    ).toBe(true);
  });

  it('rejects bad options and mismatched shapes naming them', () => {
    expect(() => new TransformerDecoderLayer(8, 3)).toThrow(/embedDim 8 must be divisible by numHeads 3/);
    expect(() => new TransformerDecoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(/activation/);
    const d = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6 });
    expect(() => d.call(randn([3, 2, 4]), randn([5, 2, 4]), { tgt_mask: null } as never)).toThrow(/tgt_mask/);
    const m = new Transformer({
      dModel: 4,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 6,
    });
    expect(() => m.call(randn([5, 2, 4]), randn([3, 3, 4]))).toThrow(
      /Transformer: the batch size of src \[5,2,4\] and tgt \[3,3,4\] must be equal/,
    );
    expect(() => m.call(randn([5, 2, 4]), randn([3, 2, 6]))).toThrow(/must equal dModel 4/);
    // The causal flags equal explicit causal masks.
    m.eval();
    const src = randn([5, 2, 4]);
    const tgt = randn([3, 2, 4]);
    const masked = m.call(src, tgt, {
      srcMask: generateSquareSubsequentMask(5),
      tgtMask: generateSquareSubsequentMask(3),
    });
    const flagged = m.call(src, tgt, { srcIsCausal: true, tgtIsCausal: true });
    expectClose(flat(flagged), flat(masked), 1e-6);
  });

  it("Transformer defaults are PyTorch's and parameters with more than one dim are xavier-uniform", () => {
    const m = new Transformer({ numEncoderLayers: 1, numDecoderLayers: 1 });
    expect(m.dModel).toBe(512);
    expect(m.nhead).toBe(8);
    const w = (m.stateDict()['encoder.layers.0.linear1.weight'] as Tensor).abs().max().item() as number;
    const bound = Math.sqrt(6 / (512 + 2048));
    expect(w).toBeLessThanOrEqual(bound);
    expect(w).toBeGreaterThan(bound * 0.9);
  });
});
