import { checkOptions, type Tensor, zeros } from '@tessera/tensor';
import { linear } from '../functional/linear.js';
import { gruStep, lstmStep, rnnStep } from '../functional/rnn.js';
import { checkPositiveInt, checkTensor, fmt } from '../functional/util.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of the recurrent cells. */
export interface RNNCellOptions extends FactoryOptions {
  /** Learn b_ih and b_hh (default true). */
  bias?: boolean;
}

/**
 * Shared single-step cell (PyTorch's RNNCellBase): weight_ih [G*H, I], weight_hh [G*H, H],
 * bias_ih, bias_hh [G*H], all U(-1/sqrt(H), 1/sqrt(H)).
 */
abstract class RNNCellBase<In extends unknown[], Out> extends Module<In, Out> {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(name: string, gates: number, inputSize: number, hiddenSize: number, opts: RNNCellOptions) {
    super();
    this.inputSize = checkPositiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(name, 'hiddenSize', hiddenSize);
    this.bias = opts.bias ?? true;
    this.weight_ih = newParameter([gates * hiddenSize, inputSize], opts);
    this.weight_hh = newParameter([gates * hiddenSize, hiddenSize], opts);
    this.bias_ih = this.bias ? newParameter([gates * hiddenSize], opts) : null;
    this.bias_hh = this.bias ? newParameter([gates * hiddenSize], opts) : null;
    this.resetParameters();
  }

  /** Draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** Checks x [N, I] or [I] and a state [N, H] or [H]; returns both batched, and whether x was. */
  protected prepare(
    x: Tensor,
    states: readonly (Tensor | null | undefined)[],
  ): { x: Tensor; states: Tensor[]; batched: boolean } {
    const name = this.constructor.name;
    checkTensor(name, x);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new RangeError(
        `${name}: input must be [N, ${this.inputSize}] or [${this.inputSize}], got shape ${fmt(x.shape)}`,
      );
    }
    const batched = x.ndim === 2;
    const xb = batched ? x : x.unsqueeze(0);
    const N = xb.shape[0]!;
    const out = states.map((s) => {
      if (s === undefined || s === null)
        return zeros([N, this.hiddenSize], { dtype: x.dtype, device: x.device });
      const want = batched ? [N, this.hiddenSize] : [this.hiddenSize];
      if (s.ndim !== want.length || s.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(
          `${name}: expected a hidden state of shape ${fmt(want)} for input ${fmt(x.shape)}, got ${fmt(s.shape)}`,
        );
      }
      return batched ? s : s.unsqueeze(0);
    });
    return { x: xb, states: out, batched };
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'}`;
  }
}

/** Elman RNN cell h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh) (PyTorch's nn.RNNCell). */
export class RNNCell extends RNNCellBase<[x: Tensor, h?: Tensor | null], Tensor> {
  nonlinearity: 'tanh' | 'relu';

  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: RNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new RangeError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super('RNNCell', 1, inputSize, hiddenSize, opts);
    checkOptions('RNNCell', opts, { ...FACTORY, bias: 'boolean', nonlinearity: 'string' });
    this.nonlinearity = nl;
  }

  /** One step: x [N, I] (or [I]), h [N, H] (zeros by default) → h'. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const p = this.prepare(x, [h]);
    const out = rnnStep(
      linear(p.x, this.weight_ih, this.bias_ih),
      p.states[0]!,
      this.weight_hh,
      this.bias_hh,
      this.nonlinearity,
    );
    return p.batched ? out : out.squeeze(0);
  }
}

/** LSTM cell, gates i, f, g, o (PyTorch's nn.LSTMCell). */
export class LSTMCell extends RNNCellBase<
  [x: Tensor, hx?: readonly [Tensor, Tensor] | null],
  [Tensor, Tensor]
> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, opts);
    checkOptions('LSTMCell', opts, { ...FACTORY, bias: 'boolean' });
  }

  /** One step: x [N, I] (or [I]), [h, c] (zeros by default) → [h', c']. */
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const p = this.prepare(x, [hx?.[0], hx?.[1]]);
    const [h, c] = lstmStep(
      linear(p.x, this.weight_ih, this.bias_ih),
      p.states[0]!,
      p.states[1]!,
      this.weight_hh,
      this.bias_hh,
    );
    return p.batched ? [h, c] : [h.squeeze(0), c.squeeze(0)];
  }
}

/** GRU cell, gates r, z, n (PyTorch's nn.GRUCell). */
export class GRUCell extends RNNCellBase<[x: Tensor, h?: Tensor | null], Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, opts);
    checkOptions('GRUCell', opts, { ...FACTORY, bias: 'boolean' });
  }

  /** One step: x [N, I] (or [I]), h [N, H] (zeros by default) → h'. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const p = this.prepare(x, [h]);
    const out = gruStep(
      linear(p.x, this.weight_ih, this.bias_ih),
      p.states[0]!,
      this.weight_hh,
      this.bias_hh,
    );
    return p.batched ? out : out.squeeze(0);
  }
}
