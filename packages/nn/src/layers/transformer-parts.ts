import { checkOptions, type DType, type Tensor } from '@tessera/tensor';
import { gelu, relu } from '../functional/activation.js';
import { checkPositiveInt } from '../functional/util.js';
import { Module } from '../module.js';
import { ENCODER_LAYER } from '../option-specs.js';
import type { Dropout } from './dropout.js';
import type { Linear } from './linear.js';
import type { TransformerEncoderLayerOptions } from './transformer.js';

/** A transformer layer's feed-forward activation: a function or a module. */
export type FeedForwardActivation = ((x: Tensor) => Tensor) | Module;

/** What the encoder and decoder layers build their submodules from (PyTorch's defaults). */
export interface LayerSettings {
  /** Hidden size of the feed-forward block. */
  dff: number;
  /** Dropout probability. */
  p: number;
  bias: boolean;
  /** Factory options of every submodule. */
  f: { dtype?: DType; device?: string };
  /** Options of the attention modules. */
  mha: { dtype?: DType; device?: string; dropout: number; bias: boolean; batchFirst: boolean };
  normFirst: boolean;
  /** LayerNorm eps. */
  eps: number;
}

/** Checks a transformer layer's options (errors name `name`) and fills in the defaults. */
export function layerSettings(name: string, opts: TransformerEncoderLayerOptions): LayerSettings {
  checkOptions(name, opts, ENCODER_LAYER);
  const dff = checkPositiveInt(name, 'dimFeedforward', opts.dimFeedforward ?? 2048);
  const p = opts.dropout ?? 0.1;
  const bias = opts.bias ?? true;
  const f = { dtype: opts.dtype, device: opts.device };
  const mha = { ...f, dropout: p, bias, batchFirst: opts.batchFirst ?? false };
  return { dff, p, bias, f, mha, normFirst: opts.normFirst ?? false, eps: opts.layerNormEps ?? 1e-5 };
}

/** The feed-forward activation of option `act`: 'relu' (default), 'gelu', a function or a module. */
export function feedForwardActivation(
  name: string,
  act: TransformerEncoderLayerOptions['activation'] | undefined,
): FeedForwardActivation {
  const a = act ?? 'relu';
  if (a === 'relu') return relu;
  if (a === 'gelu') return (x: Tensor) => gelu(x);
  if (typeof a === 'function' || a instanceof Module) return a;
  throw new RangeError(`${name}: activation should be 'relu' or 'gelu', not ${JSON.stringify(a)}`);
}

/** linear2(dropout(activation(linear1(x)))): a layer's feed-forward block before its last dropout. */
export function feedForward(
  layer: { linear1: Linear; dropout: Dropout; linear2: Linear; activation: FeedForwardActivation },
  x: Tensor,
): Tensor {
  const a = layer.activation;
  const h = layer.linear1.call(x);
  const act = a instanceof Module ? (a.call(h) as Tensor) : a(h);
  return layer.linear2.call(layer.dropout.call(act));
}
