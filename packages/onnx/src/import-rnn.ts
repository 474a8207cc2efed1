import type { Tensor } from '@tessera/tensor';
import * as T from '@tessera/tensor';
import type { Attrs, Importer } from './import-ops.js';

type Cell = 'LSTM' | 'GRU';

/** Gates per cell in ONNX's weight layout: LSTM i, o, f, c; GRU z, r, h. */
const GATES: Record<Cell, number> = { LSTM: 4, GRU: 3 };

const DEFAULT_ACTIVATIONS: Record<Cell, string> = { LSTM: 'Sigmoid,Tanh,Tanh', GRU: 'Sigmoid,Tanh' };

function checkAttrs(cell: Cell, a: Attrs, ins: readonly (Tensor | undefined)[], seq: number): void {
  const acts = a.activations;
  if (
    acts !== undefined &&
    String(acts) !== DEFAULT_ACTIVATIONS[cell] &&
    String(acts) !== `${DEFAULT_ACTIVATIONS[cell]},${DEFAULT_ACTIVATIONS[cell]}`
  )
    throw new Error(`importOnnx: ${cell} with activations ${String(acts)} is not supported`);
  if (a.clip !== undefined) throw new Error(`importOnnx: ${cell} with clip is not supported`);
  if (typeof a.input_forget === 'number' && a.input_forget !== 0)
    throw new Error('importOnnx: LSTM with input_forget is not supported');
  if (cell === 'LSTM' && ins[7] !== undefined)
    throw new Error('importOnnx: LSTM with peepholes (P) is not supported');
  const lens = ins[4];
  if (lens !== undefined && Array.from(lens.dataSync(), Number).some((n) => n !== seq))
    throw new Error(`importOnnx: ${cell} with per-sequence lengths shorter than the input is not supported`);
}

const gate = (g: Tensor, k: number, h: number): Tensor => g.slice(1, k * h, (k + 1) * h);

/** One direction of the recurrence; returns every step's hidden state (time order) and the final h, c. */
function runDirection(
  cell: Cell,
  x: Tensor,
  w: Tensor,
  r: Tensor,
  b: Tensor | undefined,
  h0: Tensor,
  c0: Tensor,
  reverse: boolean,
  linearBeforeReset: boolean,
): { ys: Tensor[]; h: Tensor; c: Tensor } {
  const hidden = r.shape[1]!;
  const n = GATES[cell];
  const wb = b?.slice(0, 0, n * hidden);
  const rb = b?.slice(0, n * hidden, 2 * n * hidden);
  let xw = T.matmul(x, w.T); // [seq, batch, n*H]
  if (wb !== undefined) xw = xw.add(wb);
  const seq = x.shape[0]!;
  const ys = new Array<Tensor>(seq);
  let h = h0;
  let c = c0;
  for (let s = 0; s < seq; s++) {
    const t = reverse ? seq - 1 - s : s;
    const xt = xw.select(0, t);
    if (cell === 'LSTM') {
      let g = xt.add(T.matmul(h, r.T));
      if (rb !== undefined) g = g.add(rb);
      const i = gate(g, 0, hidden).sigmoid();
      const o = gate(g, 1, hidden).sigmoid();
      const f = gate(g, 2, hidden).sigmoid();
      c = f.mul(c).add(i.mul(gate(g, 3, hidden).tanh()));
      h = o.mul(c.tanh());
    } else {
      let hr = T.matmul(h, r.T);
      if (rb !== undefined) hr = hr.add(rb);
      const z = gate(xt, 0, hidden)
        .add(gate(hr, 0, hidden))
        .sigmoid();
      const rr = gate(xt, 1, hidden)
        .add(gate(hr, 1, hidden))
        .sigmoid();
      let cand: Tensor;
      if (linearBeforeReset) cand = gate(xt, 2, hidden).add(rr.mul(gate(hr, 2, hidden)));
      else {
        cand = gate(xt, 2, hidden).add(T.matmul(rr.mul(h), r.slice(0, 2 * hidden, 3 * hidden).T));
        if (rb !== undefined) cand = cand.add(rb.slice(0, 2 * hidden, 3 * hidden));
      }
      h = z.neg().add(1).mul(cand.tanh()).add(z.mul(h));
    }
    ys[t] = h;
  }
  return { ys, h, c };
}

/** ONNX LSTM / GRU (forward, reverse or bidirectional; either layout), unrolled into Tessera ops. */
function recurrent(cell: Cell): Importer {
  return (ins, a, op) => {
    const layout = typeof a.layout === 'number' ? a.layout : 0;
    let x = ins[0];
    const w = ins[1];
    const r = ins[2];
    if (x === undefined || w === undefined || r === undefined)
      throw new Error(`importOnnx: ${op} needs X, W and R`);
    if (layout === 1) x = x.transpose(0, 1);
    const [seq, batch] = [x.shape[0]!, x.shape[1]!];
    checkAttrs(cell, a, ins, seq);
    const hidden = r.shape[2]!;
    const direction = typeof a.direction === 'string' ? a.direction : 'forward';
    const dirs = direction === 'bidirectional' ? [false, true] : [direction === 'reverse'];
    let h0 = ins[5];
    let c0 = cell === 'LSTM' ? ins[6] : undefined;
    if (layout === 1) {
      h0 = h0?.transpose(0, 1);
      c0 = c0?.transpose(0, 1);
    }
    const zeros = (): Tensor => T.zeros([batch, hidden], { dtype: x.dtype });
    const runs = dirs.map((rev, d) =>
      runDirection(
        cell,
        x,
        w.select(0, d),
        r.select(0, d),
        ins[3]?.select(0, d),
        h0?.select(0, d) ?? zeros(),
        c0?.select(0, d) ?? zeros(),
        rev,
        typeof a.linear_before_reset === 'number' && a.linear_before_reset !== 0,
      ),
    );
    let y = T.stack(
      runs.map((run) => T.stack(run.ys, 0)),
      1,
    ); // [seq, dirs, batch, H]
    let yh = T.stack(
      runs.map((run) => run.h),
      0,
    );
    let yc = T.stack(
      runs.map((run) => run.c),
      0,
    );
    if (layout === 1) {
      y = y.permute(2, 0, 1, 3);
      yh = yh.transpose(0, 1);
      yc = yc.transpose(0, 1);
    }
    return cell === 'LSTM' ? [y, yh, yc] : [y, yh];
  };
}

/** ONNX's recurrent ops. */
export const RNN_IMPORTERS: Record<string, Importer> = { LSTM: recurrent('LSTM'), GRU: recurrent('GRU') };
