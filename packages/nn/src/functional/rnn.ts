import type { Tensor } from '@tessera/tensor';
import { linear } from './linear.js';

// One time step of the recurrent cells, with PyTorch's equations and gate order. Each takes the
// input projection gi = x W_ih^T + b_ih (computed for all time steps at once by the RNN layers)
// and the previous state; W_hh and b_hh project the hidden state.

/** Elman RNN step: h' = act(gi + h W_hh^T + b_hh), act tanh or relu. */
export function rnnStep(
  gi: Tensor,
  h: Tensor,
  wHh: Tensor,
  bHh: Tensor | null,
  nonlinearity: 'tanh' | 'relu',
): Tensor {
  const pre = gi.add(linear(h, wHh, bHh));
  return nonlinearity === 'tanh' ? pre.tanh() : pre.relu();
}

/**
 * LSTM step, gates in PyTorch's order (input, forget, cell, output):
 * i, f, o = sigmoid(.), g = tanh(.), c' = f c + i g, h' = o tanh(c').
 */
export function lstmStep(
  gi: Tensor,
  h: Tensor,
  c: Tensor,
  wHh: Tensor,
  bHh: Tensor | null,
): [Tensor, Tensor] {
  const H = h.shape[h.ndim - 1]!;
  const gates = gi.add(linear(h, wHh, bHh));
  const d = gates.ndim - 1;
  const sig = gates.sigmoid();
  const i = sig.narrow(d, 0, H);
  const f = sig.narrow(d, H, H);
  const g = gates.narrow(d, 2 * H, H).tanh();
  const o = sig.narrow(d, 3 * H, H);
  const c2 = f.mul(c).add(i.mul(g));
  return [o.mul(c2.tanh()), c2];
}

/**
 * GRU step, gates in PyTorch's order (reset, update, new):
 * r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r (W_hn h + b_hn)),
 * h' = (1 - z) n + z h.
 */
export function gruStep(gi: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null): Tensor {
  const H = h.shape[h.ndim - 1]!;
  const gh = linear(h, wHh, bHh);
  const d = gh.ndim - 1;
  const rz = gi
    .narrow(d, 0, 2 * H)
    .add(gh.narrow(d, 0, 2 * H))
    .sigmoid();
  const r = rz.narrow(d, 0, H);
  const z = rz.narrow(d, H, H);
  const n = gi
    .narrow(d, 2 * H, H)
    .add(r.mul(gh.narrow(d, 2 * H, H)))
    .tanh();
  return n.add(z.mul(h.sub(n)));
}
