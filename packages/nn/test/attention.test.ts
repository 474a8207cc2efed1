import { noGrad } from '@tessera/autograd';
import {
  F,
  LayerNorm,
  MultiheadAttention,
  PositionalEncoding,
  sinusoidalPositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { manualSeed, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' } as const;
type Mat = number[][];

/**
 * Multi-head attention written out in float64 loops, for one batch element n:
 * q_i = Wq x_i + bq (etc.), per head h softmax_j((q_i . k_j) / sqrt(d) + mask(h, i, j)) v_j, heads
 * concatenated, then Wo . + bo. Returns outputs [L][E] and weights [H][L][S].
 */
function refMha(
  q: Mat,
  k: Mat,
  v: Mat,
  w: { wq: Mat; wk: Mat; wv: Mat; bq: number[]; bk: number[]; bv: number[]; wo: Mat; bo: number[] },
  H: number,
  mask: (h: number, i: number, j: number) => number,
): { out: Mat; weights: number[][][] } {
  const proj = (W: Mat, b: number[], x: number[]) =>
    W.map((row, o) => row.reduce((a, wv, c) => a + wv * x[c]!, b[o]!));
  const Q = q.map((x) => proj(w.wq, w.bq, x));
  const K = k.map((x) => proj(w.wk, w.bk, x));
  const V = v.map((x) => proj(w.wv, w.bv, x));
  const E = Q[0]!.length;
  const d = E / H;
  const concat: Mat = Q.map(() => new Array(E).fill(0));
  const weights: number[][][] = [];
  for (let h = 0; h < H; h++) {
    const wh: Mat = [];
    for (let i = 0; i < Q.length; i++) {
      const s = K.map((kj, j) => {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += Q[i]![h * d + c]! * kj[h * d + c]!;
        return dot / Math.sqrt(d) + mask(h, i, j);
      });
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      const p = e.map((x) => x / z);
      wh.push(p);
      for (let c = 0; c < d; c++)
        concat[i]![h * d + c] = p.reduce((a, pj, j) => a + pj * V[j]![h * d + c]!, 0);
    }
    weights.push(wh);
  }
  return { out: concat.map((x) => proj(w.wo, w.bo, x)), weights };
}

/** The weights of a MultiheadAttention as nested arrays. */
function weightsOf(m: MultiheadAttention) {
  const E = m.embedDim;
  const wi = m.in_proj_weight ? (m.in_proj_weight.arraySync() as Mat) : null;
  const bi = flat(m.in_proj_bias!);
  return {
    wq: wi ? wi.slice(0, E) : (m.q_proj_weight!.arraySync() as Mat),
    wk: wi ? wi.slice(E, 2 * E) : (m.k_proj_weight!.arraySync() as Mat),
    wv: wi ? wi.slice(2 * E) : (m.v_proj_weight!.arraySync() as Mat),
    bq: bi.slice(0, E),
    bk: bi.slice(E, 2 * E),
    bv: bi.slice(2 * E),
    wo: m.out_proj.weight.arraySync() as Mat,
    bo: flat(m.out_proj.bias!),
  };
}

/** Gives the zero-initialised biases random values, so that the reference checks them too. */
function randomiseBiases(m: MultiheadAttention): void {
  noGrad(() => {
    m.in_proj_bias!.copy_(randn(m.in_proj_bias!.shape, { dtype: m.in_proj_bias!.dtype }));
    m.out_proj.bias!.copy_(randn(m.out_proj.bias!.shape, { dtype: m.out_proj.bias!.dtype }));
  });
}

describe('MultiheadAttention', () => {
  it('matches the written-out attention per batch element, with per-head and averaged weights', () => {
    manualSeed(1);
    const mha = new MultiheadAttention(4, 2, f64);
    randomiseBiases(mha);
    const L = 3;
    const S = 5;
    const N = 2;
    const q = randn([L, N, 4], f64);
    const kv = randn([S, N, 4], f64);
    const [out, w] = mha.call(q, kv, kv, { averageAttnWeights: false });
    expect(out.shape).toEqual([L, N, 4]);
    expect(w!.shape).toEqual([N, 2, L, S]);
    for (let n = 0; n < N; n++) {
      const ref = refMha(
        q.select(1, n).arraySync() as Mat,
        kv.select(1, n).arraySync() as Mat,
        kv.select(1, n).arraySync() as Mat,
        weightsOf(mha),
        2,
        () => 0,
      );
      expectClose(flat(out.select(1, n)), ref.out.flat(), 1e-12);
      expectClose(flat(w!.select(0, n)), ref.weights.flat(2), 1e-12);
    }
    const [, avg] = mha.call(q, kv, kv);
    expect(avg!.shape).toEqual([N, L, S]);
    expectClose(flat(avg!), flat(w!.mean(1)), 1e-12);
    const [, none] = mha.call(q, kv, kv, { needWeights: false });
    expect(none).toBeNull();
  });

  it('bool masks block (true = not allowed), float masks add; key padding masks combine', () => {
    manualSeed(2);
    const mha = new MultiheadAttention(4, 2, { batchFirst: true, ...f64 });
    randomiseBiases(mha);
    const x = randn([2, 3, 4], f64); // N=2, L=S=3
    const causalBool = tensor([
      [false, true, true],
      [false, false, true],
      [false, false, false],
    ]);
    const pad = tensor([
      [false, false, true],
      [false, false, false],
    ]);
    const add = tensor(
      [
        [0, 0.5, -1],
        [0.2, 0, 0],
        [1, -2, 0],
      ],
      f64,
    );
    const [o1, w1] = mha.call(x, x, x, {
      attnMask: causalBool,
      keyPaddingMask: pad,
      averageAttnWeights: false,
    });
    const [o2] = mha.call(x, x, x, { attnMask: add });
    const [o3] = mha.call(x, x, x, { isCausal: true });
    for (let n = 0; n < 2; n++) {
      const xs = x.select(0, n).arraySync() as Mat;
      const blocked = (i: number, j: number) => j > i || (n === 0 && j === 2);
      const r1 = refMha(xs, xs, xs, weightsOf(mha), 2, (_h, i, j) =>
        blocked(i, j) ? Number.NEGATIVE_INFINITY : 0,
      );
      expectClose(flat(o1.select(0, n)), r1.out.flat(), 1e-12);
      expectClose(flat(w1!.select(0, n)), r1.weights.flat(2), 1e-12);
      const r2 = refMha(xs, xs, xs, weightsOf(mha), 2, (_h, i, j) => (add.arraySync() as Mat)[i]![j]!);
      expectClose(flat(o2.select(0, n)), r2.out.flat(), 1e-12);
      const r3 = refMha(xs, xs, xs, weightsOf(mha), 2, (_h, i, j) => (j > i ? Number.NEGATIVE_INFINITY : 0));
      expectClose(flat(o3.select(0, n)), r3.out.flat(), 1e-12);
    }
    // A per-head 3-D mask [N*H, L, S].
    const perHead = randn([4, 3, 3], f64);
    const [o4] = mha.call(x, x, x, { attnMask: perHead });
    const xs1 = x.select(0, 1).arraySync() as Mat;
    const ph = perHead.arraySync() as number[][][];
    const r4 = refMha(xs1, xs1, xs1, weightsOf(mha), 2, (h, i, j) => ph[2 + h]![i]![j]!);
    expectClose(flat(o4.select(0, 1)), r4.out.flat(), 1e-12);
    expect(() => mha.call(x, x, x, { attnMask: tensor([[true]]) })).toThrow(
      /attnMask must have shape \[3,3\] or \[4,3,3\], got \[1,1\]/,
    );
  });

  it('kdim/vdim use separate projections named q/k/v_proj_weight; unbatched input', () => {
    manualSeed(3);
    const mha = new MultiheadAttention(4, 1, { kdim: 2, vdim: 3, ...f64 });
    expect(Object.keys(mha.stateDict())).toEqual([
      'q_proj_weight',
      'k_proj_weight',
      'v_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    randomiseBiases(mha);
    const q = randn([2, 4], f64);
    const k = randn([3, 2], f64);
    const v = randn([3, 3], f64);
    const [out, w] = mha.call(q, k, v);
    expect(out.shape).toEqual([2, 4]);
    expect(w!.shape).toEqual([2, 3]);
    const ref = refMha(
      q.arraySync() as Mat,
      k.arraySync() as Mat,
      v.arraySync() as Mat,
      weightsOf(mha),
      1,
      () => 0,
    );
    expectClose(flat(out), ref.out.flat(), 1e-12);
  });

  it("state dict keys and shapes are PyTorch's; dropout acts in training only", () => {
    const mha = new MultiheadAttention(8, 2, { dropout: 0.5 });
    const sd = mha.stateDict();
    expect(Object.keys(sd)).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    expect(sd.in_proj_weight!.shape).toEqual([24, 8]);
    manualSeed(4);
    const x = randn([3, 1, 8]);
    const [a] = mha.call(x, x, x);
    const [b] = mha.call(x, x, x);
    expect(flat(a)).not.toEqual(flat(b));
    mha.eval();
    expect(flat(mha.call(x, x, x)[0])).toEqual(flat(mha.call(x, x, x)[0]));
    expect(() => new MultiheadAttention(6, 4)).toThrow(/embedDim 6 must be divisible by numHeads 4/);
  });

  it('passes gradcheck (inputs and all parameters)', () => {
    manualSeed(5);
    const mha = new MultiheadAttention(2, 2, f64);
    const q = randn([2, 1, 2], f64).requiresGrad_();
    const k = randn([3, 1, 2], f64).requiresGrad_();
    const v = randn([3, 1, 2], f64).requiresGrad_();
    expect(gradcheckModule(mha, [q, k, v], ([o, w]) => o.sum().add(w.mul(w).sum()))).toBe(true);
  });
});

describe('F.scaledDotProductAttention', () => {
  it('computes softmax(q k^T / sqrt(E) + mask) v; bool masks mark allowed positions', () => {
    manualSeed(6);
    const q = randn([2, 3, 4], f64);
    const k = randn([2, 5, 4], f64);
    const v = randn([2, 5, 2], f64);
    const ref = q.matmul(k.mT).div(2).softmax(-1).matmul(v);
    expectClose(flat(F.scaledDotProductAttention(q, k, v)), flat(ref), 1e-12);
    const allowed = tensor([
      [true, true, false, false, false],
      [true, true, true, false, false],
      [true, true, true, true, true],
    ]);
    const refMasked = q
      .matmul(k.mT)
      .div(2)
      .maskedFill(allowed.not(), Number.NEGATIVE_INFINITY)
      .softmax(-1)
      .matmul(v);
    expectClose(flat(F.scaledDotProductAttention(q, k, v, { attnMask: allowed })), flat(refMasked), 1e-12);
    const qq = randn([3, 4], f64);
    const causal = F.scaledDotProductAttention(qq, qq, qq, { isCausal: true, scale: 0.3 });
    const first = flat(causal.select(0, 0));
    expectClose(first, flat(qq.select(0, 0)), 1e-12); // position 0 sees only itself
  });
});

describe('Transformer encoder', () => {
  it("TransformerEncoderLayer has PyTorch's defaults and state dict keys", () => {
    const layer = new TransformerEncoderLayer(8, 2);
    expect(layer.linear1.weight.shape).toEqual([2048, 8]);
    expect(layer.dropout.p).toBe(0.1);
    expect(layer.norm1.eps).toBe(1e-5);
    expect(Object.keys(layer.stateDict())).toEqual([
      'self_attn.in_proj_weight',
      'self_attn.in_proj_bias',
      'self_attn.out_proj.weight',
      'self_attn.out_proj.bias',
      'linear1.weight',
      'linear1.bias',
      'linear2.weight',
      'linear2.bias',
      'norm1.weight',
      'norm1.bias',
      'norm2.weight',
      'norm2.bias',
    ]);
  });

  it.each([false, true])(
    'computes the post-norm / pre-norm (normFirst=%s) block from its parts',
    (normFirst) => {
      manualSeed(7);
      const layer = new TransformerEncoderLayer(4, 2, {
        dimFeedforward: 6,
        dropout: 0,
        normFirst,
        activation: 'gelu',
        ...f64,
      });
      const x = randn([3, 2, 4], f64);
      const sa = (y: Tensor) => layer.self_attn.call(y, y, y)[0] as Tensor;
      const ff = (y: Tensor) => layer.linear2.call(F.gelu(layer.linear1.call(y)));
      const n1 = (y: Tensor) => layer.norm1.call(y) as Tensor;
      const n2 = (y: Tensor) => layer.norm2.call(y) as Tensor;
      let ref: Tensor;
      if (normFirst) {
        const h = x.add(sa(n1(x)));
        ref = h.add(ff(n2(h)));
      } else {
        const h = n1(x.add(sa(x)));
        ref = n2(h.add(ff(h)));
      }
      expectClose(flat(layer.call(x)), flat(ref), 1e-12);
    },
  );

  it('TransformerEncoder stacks deep copies (identical at init, independent after) and applies the final norm', () => {
    manualSeed(8);
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true });
    const enc = new TransformerEncoder(layer, 3, { norm: new LayerNorm(4) });
    const sd = enc.stateDict();
    expect(Object.keys(sd).filter((k) => k.startsWith('layers.2.'))).toHaveLength(12);
    expect(Object.keys(sd).slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    expect(flat(sd['layers.0.linear1.weight']!)).toEqual(flat(sd['layers.2.linear1.weight']!));
    expect(sd['layers.0.linear1.weight']).not.toBe(sd['layers.1.linear1.weight']);
    const x = randn([2, 5, 4]);
    const pad = tensor([
      [false, false, false, true, true],
      [false, false, false, false, false],
    ]);
    enc.eval();
    const y = enc.call(x, { srcKeyPaddingMask: pad });
    expect(y.shape).toEqual([2, 5, 4]);
    // Padding keys do not influence the unpadded outputs of the first sequence.
    const x2 = x.clone();
    noGrad(() => x2.select(0, 0).select(0, 4).fill_(100));
    const y2 = enc.call(x2, { srcKeyPaddingMask: pad });
    expectClose(flat(y2.select(0, 0).narrow(0, 0, 3)), flat(y.select(0, 0).narrow(0, 0, 3)), 1e-5);
  });

  it('passes gradcheck', () => {
    manualSeed(9);
    const layer = new TransformerEncoderLayer(2, 1, { dimFeedforward: 3, dropout: 0, ...f64 });
    expect(gradcheckModule(layer, [randn([2, 1, 2], f64).requiresGrad_()])).toBe(true);
  });

  it('sinusoidal positional encoding', () => {
    const pe = sinusoidalPositionalEncoding(4, 6, f64).arraySync() as Mat;
    for (let pos = 0; pos < 4; pos++)
      for (let i = 0; i < 3; i++) {
        const angle = pos / 10000 ** ((2 * i) / 6);
        expect(pe[pos]![2 * i]).toBeCloseTo(Math.sin(angle), 12);
        expect(pe[pos]![2 * i + 1]).toBeCloseTo(Math.cos(angle), 12);
      }
    const m = new PositionalEncoding(6, { dropout: 0, maxLen: 10 });
    const x = randn([4, 2, 6]);
    expectClose(
      flat(m.call(x).select(1, 1)),
      flat(x.select(1, 1).add(sinusoidalPositionalEncoding(4, 6))),
      1e-6,
    );
    expect(Object.keys(m.stateDict())).toEqual([]);
    expect(() => m.call(randn([11, 1, 6]))).toThrow(/sequence length 11 exceeds maxLen 10/);
  });
});
