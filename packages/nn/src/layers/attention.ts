import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { attention } from '../functional/attention.js';
import { linear } from '../functional/linear.js';
import { checkFloat, checkPositiveInt, checkTensor, fmt, isFloat } from '../functional/util.js';
import { constant_, xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { MHA, MHA_FORWARD } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';
import { Linear } from './linear.js';

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights, in training (default 0). */
  dropout?: number;
  /** Learn biases of the input and output projections (default true). */
  bias?: boolean;
  /** Key size (default embedDim). */
  kdim?: number;
  /** Value size (default embedDim). */
  vdim?: number;
  /** Inputs and outputs are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}

/** Options of MultiheadAttention.forward. */
export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool true = padding, ignored; or float, added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); otherwise the second result is null. */
  needWeights?: boolean;
  /** [L, S] or [N*numHeads, L, S]: bool true = may not attend; or float, added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads ([N, L, S]; default true) or not ([N, heads, L, S]). */
  averageAttnWeights?: boolean;
  /** Causal mask (position i attends to <= i), used when no attnMask is given (default false). */
  isCausal?: boolean;
}

/**
 * Multi-head attention (PyTorch's nn.MultiheadAttention): softmax(Q K^T / sqrt(d) + masks) V per
 * head, heads concatenated and projected by `out_proj`. Parameters have PyTorch's names:
 * in_proj_weight [3E, E] (or q_proj_weight, k_proj_weight, v_proj_weight when kdim/vdim differ
 * from E), in_proj_bias [3E], out_proj.weight, out_proj.bias; init as PyTorch (xavier_uniform_
 * projections, zero biases, out_proj.weight as a Linear).
 */
export class MultiheadAttention extends Module<
  [query: Tensor, key: Tensor, value: Tensor, opts?: MultiheadAttentionForwardOptions],
  [Tensor, Tensor | null]
> {
  embedDim: number;
  kdim: number;
  vdim: number;
  numHeads: number;
  headDim: number;
  dropout: number;
  batchFirst: boolean;
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', opts, MHA);
    const name = 'MultiheadAttention';
    this.embedDim = checkPositiveInt(name, 'embedDim', embedDim);
    this.numHeads = checkPositiveInt(name, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0)
      throw new RangeError(`${name}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = checkPositiveInt(name, 'kdim', opts.kdim ?? embedDim);
    this.vdim = checkPositiveInt(name, 'vdim', opts.vdim ?? embedDim);
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1))
      throw new RangeError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.batchFirst = opts.batchFirst ?? false;
    const same = this.kdim === embedDim && this.vdim === embedDim;
    this.in_proj_weight = same ? newParameter([3 * embedDim, embedDim], opts) : null;
    this.q_proj_weight = same ? null : newParameter([embedDim, embedDim], opts);
    this.k_proj_weight = same ? null : newParameter([embedDim, this.kdim], opts);
    this.v_proj_weight = same ? null : newParameter([embedDim, this.vdim], opts);
    this.in_proj_bias = opts.bias === false ? null : newParameter([3 * embedDim], opts);
    this.out_proj = new Linear(embedDim, embedDim, {
      dtype: opts.dtype,
      device: opts.device,
      bias: opts.bias,
    });
    this.resetParameters();
  }

  /** PyTorch's init: xavier_uniform_ on the input projections, zeros on the biases. */
  resetParameters(): void {
    if (this.in_proj_weight !== null) xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavierUniform_(w!);
    if (this.in_proj_bias !== null) constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias !== null) constant_(this.out_proj.bias, 0);
  }

  /** The projection weights and biases of q, k and v (views of the packed ones). */
  private projections(): { w: Tensor[]; b: (Tensor | null)[] } {
    const E = this.embedDim;
    const w =
      this.in_proj_weight !== null
        ? [0, 1, 2].map((i) => this.in_proj_weight!.narrow(0, i * E, E))
        : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!];
    const b = [0, 1, 2].map((i) =>
      this.in_proj_bias === null ? null : this.in_proj_bias.narrow(0, i * E, E),
    );
    return { w, b };
  }

  /**
   * Attends from `query` to `key`/`value`: [L, N, E], [S, N, kdim], [S, N, vdim] ([N, L, E] etc.
   * with batchFirst; or unbatched [L, E], ...). Returns [output [L, N, E], weights | null].
   */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const name = 'MultiheadAttention';
    checkOptions('MultiheadAttention.forward', opts, MHA_FORWARD);
    checkFloat(name, query, 'query');
    checkFloat(name, key, 'key');
    checkFloat(name, value, 'value');
    const batched = query.ndim === 3;
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new RangeError(
        `${name}: query, key and value must all be 3-D (batched) or 2-D (unbatched), got ${fmt(query.shape)}, ${fmt(key.shape)}, ${fmt(value.shape)}`,
      );
    }
    let q = batched ? (this.batchFirst ? query.transpose(0, 1) : query) : query.unsqueeze(1);
    let k = batched ? (this.batchFirst ? key.transpose(0, 1) : key) : key.unsqueeze(1);
    let v = batched ? (this.batchFirst ? value.transpose(0, 1) : value) : value.unsqueeze(1);
    const [L, N, E] = q.shape as [number, number, number];
    const S = k.shape[0]!;
    if (E !== this.embedDim)
      throw new RangeError(`${name}: query shape ${fmt(query.shape)} must end in embedDim ${this.embedDim}`);
    if (k.shape[2] !== this.kdim || v.shape[2] !== this.vdim) {
      throw new RangeError(
        `${name}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must end in kdim ${this.kdim} and vdim ${this.vdim}`,
      );
    }
    if (k.shape[1] !== N || v.shape[1] !== N || v.shape[0] !== S) {
      throw new RangeError(
        `${name}: query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} have mismatched batch or sequence sizes`,
      );
    }
    const H = this.numHeads;
    const hd = this.headDim;
    const { w, b } = this.projections();
    // [T, N, E] → [N*H, T, hd]
    const heads = (t: Tensor, T: number) => t.reshape(T, N * H, hd).transpose(0, 1);
    q = heads(linear(q, w[0]!, b[0]), L);
    k = heads(linear(k, w[1]!, b[1]), S);
    v = heads(linear(v, w[2]!, b[2]), S);

    const blocked: Tensor[] = [];
    const additive: Tensor[] = [];
    const attnMask = opts.attnMask ?? null;
    if (attnMask !== null) {
      checkTensor(name, attnMask, 'attnMask');
      const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === L && attnMask.shape[1] === S;
      const ok3 =
        attnMask.ndim === 3 &&
        attnMask.shape[0] === N * H &&
        attnMask.shape[1] === L &&
        attnMask.shape[2] === S;
      if (!ok2 && !ok3) {
        throw new RangeError(
          `${name}: attnMask must have shape ${fmt([L, S])} or ${fmt([N * H, L, S])}, got ${fmt(attnMask.shape)}`,
        );
      }
      pushMask(name, 'attnMask', attnMask, blocked, additive);
    }
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm !== null) {
      checkTensor(name, kpm, 'keyPaddingMask');
      const want = batched ? [N, S] : [S];
      if (kpm.ndim !== want.length || kpm.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(`${name}: keyPaddingMask must have shape ${fmt(want)}, got ${fmt(kpm.shape)}`);
      }
      const m = kpm
        .reshape(N, 1, 1, S)
        .expand(N, H, 1, S)
        .reshape(N * H, 1, S);
      pushMask(name, 'keyPaddingMask', m, blocked, additive);
    }
    const isCausal = (opts.isCausal ?? false) && attnMask === null;
    const { output, weights } = attention(
      name,
      q,
      k,
      v,
      { blocked, additive, isCausal },
      this.dropout,
      this.training,
      1 / Math.sqrt(hd),
    );
    // [N*H, L, hd] → [L, N, E] → out_proj
    let out = this.out_proj.call(output.transpose(0, 1).reshape(L, N, E)) as Tensor;
    if (!batched) out = out.squeeze(1);
    else if (this.batchFirst) out = out.transpose(0, 1);
    if (opts.needWeights === false) return [out, null];
    let wts = weights.reshape(N, H, L, S);
    if (opts.averageAttnWeights ?? true) wts = wts.mean(1);
    if (!batched) wts = wts.squeeze(0);
    return [out, wts];
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}

/** Sorts a mask into bool (blocked positions) or float (additive) lists. */
function pushMask(op: string, what: string, m: Tensor, blocked: Tensor[], additive: Tensor[]): void {
  if (m.dtype === 'bool') blocked.push(m);
  else if (isFloat(m.dtype)) additive.push(m);
  else throw new TypeError(`${op}: ${what} must be a bool or floating-point tensor, got ${m.dtype}`);
}
