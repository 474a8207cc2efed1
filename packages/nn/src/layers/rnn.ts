import { cat, checkOptions, stack, type Tensor, zeros } from '@tessera/tensor';
import { dropout } from '../functional/dropout.js';
import { linear } from '../functional/linear.js';
import { gruStep, lstmStep, rnnStep } from '../functional/rnn.js';
import { checkPositiveInt, checkTensor, fmt } from '../functional/util.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { RNN_OPTS } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** Options of RNN, LSTM and GRU. */
export interface RNNOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [N, T, *] instead of [T, N, *] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of each layer but the last, in training (default 0). */
  dropout?: number;
  /** Also run the sequence backwards; outputs concatenate both directions (default false). */
  bidirectional?: boolean;
}

/** Options of RNN (the Elman network). */
export interface ElmanRNNOptions extends RNNOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * Shared multi-layer recurrent network (PyTorch's RNNBase). Parameters are named as in PyTorch
 * (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, with a `_reverse` suffix for the
 * backward direction) in PyTorch's order, so state dicts interchange. All are initialised
 * U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). Gradients flow by backpropagation through the
 * unrolled time steps.
 */
abstract class RNNBase<In extends unknown[], Out> extends Module<In, Out> {
  mode: Mode;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;

  constructor(name: string, mode: Mode, inputSize: number, hiddenSize: number, opts: RNNOptions) {
    super();
    this.mode = mode;
    this.inputSize = checkPositiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(name, 'hiddenSize', hiddenSize);
    this.numLayers = checkPositiveInt(name, 'numLayers', opts.numLayers ?? 1);
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1))
      throw new RangeError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.bidirectional = opts.bidirectional ?? false;
    const G = GATES[mode] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const rec = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      const layerInput = l === 0 ? inputSize : hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = `l${l}${d === 1 ? '_reverse' : ''}`;
        rec[`weight_ih_${sfx}`] = newParameter([G, layerInput], opts);
        rec[`weight_hh_${sfx}`] = newParameter([G, hiddenSize], opts);
        if (this.bias) {
          rec[`bias_ih_${sfx}`] = newParameter([G], opts);
          rec[`bias_hh_${sfx}`] = newParameter([G], opts);
        }
      }
    }
    this.resetParameters();
  }

  /** Draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** The parameters of one layer and direction. */
  private weights(
    l: number,
    d: number,
  ): { wIh: Parameter; wHh: Parameter; bIh: Parameter | null; bHh: Parameter | null } {
    const rec = this as unknown as Record<string, Parameter | undefined>;
    const sfx = `l${l}${d === 1 ? '_reverse' : ''}`;
    return {
      wIh: rec[`weight_ih_${sfx}`]!,
      wHh: rec[`weight_hh_${sfx}`]!,
      bIh: rec[`bias_ih_${sfx}`] ?? null,
      bHh: rec[`bias_hh_${sfx}`] ?? null,
    };
  }

  /** Checks one initial state tensor: [L*D, N, H] (or [L*D, H] unbatched). */
  private checkState(t: Tensor, what: string, batch: number, batched: boolean, x: Tensor): void {
    checkTensor(this.constructor.name, t, what);
    const D = this.bidirectional ? 2 : 1;
    const want = batched
      ? [this.numLayers * D, batch, this.hiddenSize]
      : [this.numLayers * D, this.hiddenSize];
    if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new RangeError(
        `${this.constructor.name}: expected ${what} of shape ${fmt(want)} for input ${fmt(x.shape)}, got ${fmt(t.shape)}`,
      );
    }
  }

  /**
   * Runs all layers. `x` is [T, N, inputSize] ([N, T, inputSize] with batchFirst, or unbatched
   * [T, inputSize]); `h0` (and `c0` for LSTM) [numLayers * D, N, hiddenSize], zeros by default.
   */
  protected run(
    x: Tensor,
    h0: Tensor | null,
    c0: Tensor | null,
  ): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const name = this.constructor.name;
    checkTensor(name, x);
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new RangeError(
        `${name}: input must be 3-D ${this.batchFirst ? '[N, T, input]' : '[T, N, input]'} or 2-D [T, input], got shape ${fmt(x.shape)}`,
      );
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${name}: input shape ${fmt(x.shape)} must end in inputSize ${this.inputSize}`);
    }
    const batched = x.ndim === 3;
    let seq = batched ? (this.batchFirst ? x.transpose(0, 1) : x) : x.unsqueeze(1); // [T, N, I]
    const N = seq.shape[1]!;
    const T = seq.shape[0]!;
    const D = this.bidirectional ? 2 : 1;
    const H = this.hiddenSize;
    const isLstm = this.mode === 'LSTM';
    if (h0 !== null) this.checkState(h0, 'hx', N, batched, x);
    if (c0 !== null) this.checkState(c0, 'cx', N, batched, x);
    const init = (s: Tensor | null) =>
      s === null
        ? zeros([this.numLayers * D, N, H], { dtype: x.dtype, device: x.device })
        : batched
          ? s
          : s.unsqueeze(1);
    const hInit = init(h0);
    const cInit = isLstm ? init(c0) : null;
    const hLast: Tensor[] = [];
    const cLast: Tensor[] = [];
    // Per-step tensors throughout: selecting steps out of one big projection would make every
    // step's backward build a gradient of the whole sequence's size (quadratic in T).
    let inputs: Tensor[] = Array.from({ length: T }, (_, t) => seq.select(0, t)); // [N, I] each
    for (let l = 0; l < this.numLayers; l++) {
      const dirOut: Tensor[][] = [];
      for (let d = 0; d < D; d++) {
        const { wIh, wHh, bIh, bHh } = this.weights(l, d);
        let h = hInit.select(0, l * D + d);
        let c = cInit === null ? null : cInit.select(0, l * D + d);
        const outs: Tensor[] = new Array(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          const g = linear(inputs[t]!, wIh, bIh);
          if (isLstm) [h, c] = lstmStep(g, h, c!, wHh, bHh);
          else if (this.mode === 'GRU') h = gruStep(g, h, wHh, bHh);
          else h = rnnStep(g, h, wHh, bHh, this.mode === 'RNN_TANH' ? 'tanh' : 'relu');
          outs[t] = h;
        }
        dirOut.push(outs);
        hLast.push(h);
        if (c !== null) cLast.push(c);
      }
      inputs = D === 1 ? dirOut[0]! : dirOut[0]!.map((f, t) => cat([f, dirOut[1]![t]!], 1));
      if (this.dropout > 0 && this.training && l < this.numLayers - 1)
        inputs = inputs.map((x) => dropout(x, this.dropout));
    }
    seq = T > 0 ? stack(inputs, 0) : zeros([0, N, D * H], { dtype: x.dtype, device: x.device });
    let output = seq;
    let hN = stack(hLast, 0);
    let cN = isLstm ? stack(cLast, 0) : null;
    if (!batched) {
      output = output.squeeze(1);
      hN = hN.squeeze(1);
      cN = cN === null ? null : cN.squeeze(1);
    } else if (this.batchFirst) output = output.transpose(0, 1);
    return { output, hN, cN };
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, numLayers=${this.numLayers}`;
    if (!this.bias) s += ', bias=false';
    if (this.batchFirst) s += ', batchFirst=true';
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=true';
    return s;
  }
}

/**
 * Multi-layer Elman RNN, h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (PyTorch's
 * nn.RNN). `forward(x, h0?)` returns [output, h_n] with output [T, N, D*H] and h_n [L*D, N, H].
 */
export class RNN extends RNNBase<[x: Tensor, h0?: Tensor | null], [Tensor, Tensor]> {
  nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: ElmanRNNOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super('RNN', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    checkOptions('RNN', opts, { ...RNN_OPTS, nonlinearity: 'string' });
    this.nonlinearity = nl;
  }

  /** Runs the sequence: [output, h_n]. */
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const r = this.run(x, h0 ?? null, null);
    return [r.output, r.hN];
  }
}

/**
 * Multi-layer LSTM (PyTorch's nn.LSTM), gates i, f, g, o. `forward(x, [h0, c0]?)` returns
 * [output, [h_n, c_n]] with output [T, N, D*H] and h_n, c_n [L*D, N, H].
 */
export class LSTM extends RNNBase<
  [x: Tensor, hx?: readonly [Tensor, Tensor] | null],
  [Tensor, [Tensor, Tensor]]
> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', 'LSTM', inputSize, hiddenSize, opts);
    checkOptions('LSTM', opts, RNN_OPTS);
  }

  /** Runs the sequence: [output, [h_n, c_n]]. */
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new TypeError('LSTM: the initial state must be a pair [h0, c0]');
    }
    const r = this.run(x, hx?.[0] ?? null, hx?.[1] ?? null);
    return [r.output, [r.hN, r.cN!]];
  }
}

/**
 * Multi-layer GRU (PyTorch's nn.GRU), gates r, z, n. `forward(x, h0?)` returns [output, h_n].
 */
export class GRU extends RNNBase<[x: Tensor, h0?: Tensor | null], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', 'GRU', inputSize, hiddenSize, opts);
    checkOptions('GRU', opts, RNN_OPTS);
  }

  /** Runs the sequence: [output, h_n]. */
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const r = this.run(x, h0 ?? null, null);
    return [r.output, r.hN];
  }
}
