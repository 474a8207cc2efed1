import { type AnyModule, GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tessera/nn';
import { manualSeed, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' } as const;
type Vec = number[];
type Mat = number[][];

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** Rows of a 2-D tensor. */
const mat = (t: Tensor): Mat => t.arraySync() as Mat;
/** W v + b for a weight [rows, cols]. */
const affine = (w: Mat, v: Vec, b: Vec | null): Vec =>
  w.map((row, i) => row.reduce((a, x, j) => a + x * v[j]!, b ? b[i]! : 0));

/** The cell equations of PyTorch's docs, one sample, written out in float64. */
function refCell(
  mode: 'tanh' | 'relu' | 'lstm' | 'gru',
  p: Record<string, Tensor | null>,
  sfx: string,
  x: Vec,
  h: Vec,
  c: Vec,
): [Vec, Vec] {
  const wih = mat(p[`weight_ih${sfx}`]!);
  const whh = mat(p[`weight_hh${sfx}`]!);
  const bih = p[`bias_ih${sfx}`] ? flat(p[`bias_ih${sfx}`]!) : null;
  const bhh = p[`bias_hh${sfx}`] ? flat(p[`bias_hh${sfx}`]!) : null;
  const gi = affine(wih, x, bih);
  const gh = affine(whh, h, bhh);
  const H = h.length;
  if (mode === 'tanh' || mode === 'relu') {
    const pre = gi.map((v, i) => v + gh[i]!);
    return [pre.map((v) => (mode === 'tanh' ? Math.tanh(v) : Math.max(0, v))), c];
  }
  if (mode === 'lstm') {
    const g = gi.map((v, i) => v + gh[i]!);
    const ig = g.slice(0, H).map(sigmoid);
    const fg = g.slice(H, 2 * H).map(sigmoid);
    const gg = g.slice(2 * H, 3 * H).map(Math.tanh);
    const og = g.slice(3 * H).map(sigmoid);
    const c2 = c.map((cv, k) => fg[k]! * cv + ig[k]! * gg[k]!);
    return [c2.map((cv, k) => og[k]! * Math.tanh(cv)), c2];
  }
  const r = gi.slice(0, H).map((v, k) => sigmoid(v + gh[k]!));
  const z = gi.slice(H, 2 * H).map((v, k) => sigmoid(v + gh[H + k]!));
  const n = gi.slice(2 * H).map((v, k) => Math.tanh(v + r[k]! * gh[2 * H + k]!));
  return [n.map((nv, k) => (1 - z[k]!) * nv + z[k]! * h[k]!), c];
}

/** A whole multi-layer (bidirectional) network from the cell reference: output [T][N][D*H], h_n [L*D][N][H]. */
function refNetwork(
  mode: 'tanh' | 'relu' | 'lstm' | 'gru',
  m: AnyModule,
  xs: Mat[],
  L: number,
  D: number,
  H: number,
  h0?: Mat[],
  c0?: Mat[],
): { out: Mat[]; hn: Mat[]; cn: Mat[] } {
  const p = m.stateDict();
  const T = xs.length;
  const N = xs[0]!.length;
  let input = xs;
  const hn: Mat[] = [];
  const cn: Mat[] = [];
  for (let l = 0; l < L; l++) {
    const outs: Mat[] = Array.from({ length: T }, () => Array.from({ length: N }, () => [] as Vec));
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      const hL: Mat = [];
      const cL: Mat = [];
      for (let n = 0; n < N; n++) {
        let h = h0 ? h0[l * D + d]![n]! : new Array(H).fill(0);
        let c = c0 ? c0[l * D + d]![n]! : new Array(H).fill(0);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          [h, c] = refCell(mode, p, sfx, input[t]![n]!, h, c);
          outs[t]![n]!.push(...h);
        }
        hL.push(h);
        cL.push(c);
      }
      hn.push(hL);
      cn.push(cL);
    }
    input = outs;
  }
  return { out: input, hn, cn };
}

describe('recurrent cells follow the PyTorch equations', () => {
  it.each(['tanh', 'relu'] as const)('RNNCell (%s)', (nl) => {
    manualSeed(1);
    const cell = new RNNCell(3, 4, { nonlinearity: nl, ...f64 });
    const x = randn([2, 3], f64);
    const h = randn([2, 4], f64);
    const y = cell.call(x, h);
    const p = cell.stateDict();
    const ref = [0, 1].flatMap((n) => refCell(nl, p, '', mat(x)[n]!, mat(h)[n]!, [])[0]);
    expectClose(flat(y), ref, 1e-12);
  });

  it('LSTMCell: gates i, f, g, o; returns [h, c]', () => {
    manualSeed(2);
    const cell = new LSTMCell(3, 2, f64);
    const x = randn([2, 3], f64);
    const h = randn([2, 2], f64);
    const c = randn([2, 2], f64);
    const [h2, c2] = cell.call(x, [h, c]);
    const p = cell.stateDict();
    const ref = [0, 1].map((n) => refCell('lstm', p, '', mat(x)[n]!, mat(h)[n]!, mat(c)[n]!));
    expectClose(
      flat(h2),
      ref.flatMap((r) => r[0]),
      1e-12,
    );
    expectClose(
      flat(c2),
      ref.flatMap((r) => r[1]),
      1e-12,
    );
    expect(Object.keys(p)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(p.weight_ih!.shape).toEqual([8, 3]);
  });

  it('GRUCell: gates r, z, n with r applied to (W_hn h + b_hn); zero initial state by default', () => {
    manualSeed(3);
    const cell = new GRUCell(2, 3, f64);
    const x = randn([2, 2], f64);
    const y = cell.call(x);
    const p = cell.stateDict();
    const ref = [0, 1].flatMap((n) => refCell('gru', p, '', mat(x)[n]!, [0, 0, 0], [])[0]);
    expectClose(flat(y), ref, 1e-12);
    expect(cell.call(randn([2], f64)).shape).toEqual([3]); // unbatched
  });

  it('cells pass gradcheck', () => {
    manualSeed(4);
    const x = randn([2, 2], f64).requiresGrad_();
    const h = randn([2, 2], f64).requiresGrad_();
    expect(gradcheckModule(new RNNCell(2, 2, f64), [x, h])).toBe(true);
    expect(gradcheckModule(new GRUCell(2, 2, f64), [x, h])).toBe(true);
    const c = randn([2, 2], f64).requiresGrad_();
    const lstm = new LSTMCell(2, 2, f64);
    expect(gradcheckModule(lstm, [x], ([hh, cc]) => hh.add(cc.mul(2)))).toBe(true);
    const run = (a: Tensor, b: Tensor, d: Tensor) => lstm.call(a, [b, d]);
    expect(gradcheckModule(lstm, [x, h, c], ([hh, cc]) => hh.mul(cc), undefined, run as never)).toBe(true);
  });
});

describe('RNN, LSTM and GRU layers', () => {
  it.each([
    ['RNN', 'tanh'],
    ['LSTM', 'lstm'],
    ['GRU', 'gru'],
  ] as const)('%s: 2 layers, bidirectional, initial states, matches the unrolled reference', (kind, mode) => {
    manualSeed(5);
    const T = 4;
    const N = 2;
    const H = 3;
    const opts = { numLayers: 2, bidirectional: true, ...f64 };
    const m =
      kind === 'RNN' ? new RNN(2, H, opts) : kind === 'LSTM' ? new LSTM(2, H, opts) : new GRU(2, H, opts);
    const x = randn([T, N, 2], f64);
    const h0 = randn([4, N, H], f64);
    const c0 = randn([4, N, H], f64);
    const [out, state] = kind === 'LSTM' ? (m as LSTM).call(x, [h0, c0]) : (m as RNN).call(x, h0);
    expect(out.shape).toEqual([T, N, 2 * H]);
    const ref = refNetwork(
      mode,
      m,
      x.arraySync() as Mat[],
      2,
      2,
      H,
      h0.arraySync() as Mat[],
      c0.arraySync() as Mat[],
    );
    expectClose(flat(out), ref.out.flat(2), 1e-12);
    const hn = kind === 'LSTM' ? (state as Tensor[])[0]! : (state as Tensor);
    expect(hn.shape).toEqual([4, N, H]);
    expectClose(flat(hn), ref.hn.flat(2), 1e-12);
    if (kind === 'LSTM') expectClose(flat((state as Tensor[])[1]!), ref.cn.flat(2), 1e-12);
  });

  it("state dict keys and shapes are PyTorch's", () => {
    const lstm = new LSTM(10, 20, { numLayers: 2, bidirectional: true });
    const sd = lstm.stateDict();
    const names: string[] = [];
    for (const l of [0, 1])
      for (const s of ['', '_reverse'])
        for (const k of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) names.push(`${k}_l${l}${s}`);
    expect(Object.keys(sd)).toEqual(names);
    expect(sd.weight_ih_l0!.shape).toEqual([80, 10]);
    expect(sd.weight_ih_l1!.shape).toEqual([80, 40]);
    expect(sd.weight_hh_l1_reverse!.shape).toEqual([80, 20]);
    expect(sd.bias_hh_l0!.shape).toEqual([80]);
    expect(Object.keys(new GRU(3, 5, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(new GRU(3, 5).stateDict().weight_ih_l0!.shape).toEqual([15, 3]);
    expect(new RNN(3, 5, { nonlinearity: 'relu' }).stateDict().weight_hh_l0!.shape).toEqual([5, 5]);
  });

  it('batchFirst transposes input and output only; unbatched input works', () => {
    manualSeed(6);
    const a = new GRU(3, 4, { numLayers: 2, ...f64 });
    const b = new GRU(3, 4, { numLayers: 2, batchFirst: true, ...f64 });
    b.loadStateDict(a.stateDict());
    const x = randn([5, 2, 3], f64);
    const [oa, ha] = a.call(x);
    const [ob, hb] = b.call(x.transpose(0, 1));
    expect(ob.shape).toEqual([2, 5, 4]);
    expectClose(flat(ob.transpose(0, 1).contiguous()), flat(oa), 1e-12);
    expectClose(flat(hb), flat(ha), 1e-12);
    const [ou, hu] = a.call(x.select(1, 0));
    expect(ou.shape).toEqual([5, 4]);
    expect(hu.shape).toEqual([2, 4]);
    expectClose(flat(ou), flat(oa.select(1, 0)), 1e-12);
  });

  it('dropout applies between layers in training only', () => {
    manualSeed(7);
    const m = new LSTM(3, 8, { numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3]);
    const [t1] = m.call(x);
    const [t2] = m.call(x);
    expect(flat(t1)).not.toEqual(flat(t2));
    m.eval();
    const [e1] = m.call(x);
    const [e2] = m.call(x);
    expect(flat(e1)).toEqual(flat(e2));
  });

  it('checks shapes with clear errors', () => {
    const m = new LSTM(3, 4);
    expect(() => m.call(randn([5, 2, 2]))).toThrow(/input shape \[5,2,2\] must end in inputSize 3/);
    expect(() => m.call(randn([5, 2, 3]), [randn([1, 3, 4]), randn([1, 2, 4])])).toThrow(
      /expected hx of shape \[1,2,4\] for input \[5,2,3\], got \[1,3,4\]/,
    );
  });

  it('gradients flow back through time (gradcheck on a bidirectional 2-layer LSTM and a GRU)', () => {
    manualSeed(8);
    const lstm = new LSTM(2, 1, { numLayers: 2, bidirectional: true, ...f64 });
    const x = randn([2, 1, 2], f64).requiresGrad_();
    expect(gradcheckModule(lstm, [x], ([o, [h, c]]) => o.sum().add(h.mul(c).sum()))).toBe(true);
    const gru = new GRU(2, 2, { batchFirst: true, ...f64 });
    expect(gradcheckModule(gru, [randn([1, 3, 2], f64).requiresGrad_()], ([o]) => o)).toBe(true);
    const rnn = new RNN(2, 3, { nonlinearity: 'relu', ...f64 });
    expect(gradcheckModule(rnn, [randn([3, 2], f64).requiresGrad_()], ([o, h]) => o.sum().add(h.sum()))).toBe(
      true,
    );
    // The first input influences the last output only through the recurrence.
    const y = tensor([[[1, 0]], [[0, 0]], [[0, 0]]], f64).requiresGrad_();
    const [o] = lstm.call(y);
    o.select(0, 2).sum().backward();
    expect(flat(y.grad!.select(0, 0)).some((g) => g !== 0)).toBe(true);
  });
});
