import { checkOptions, type Tensor } from '@tessera/tensor';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { xavierUniform_ } from '../init.js';
import { type AnyModule, Module } from '../module.js';
import { ENCODER_LAYER } from '../option-specs.js';
import { LayerNorm } from './norm.js';
import {
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerEncoderLayerOptions,
} from './transformer.js';
import {
  generateSquareSubsequentMask,
  TransformerDecoder,
  TransformerDecoderLayer,
} from './transformer-decoder.js';

/** Options of Transformer (PyTorch's defaults: 512, 8 heads, 6 + 6 layers, 2048, dropout 0.1). */
export interface TransformerOptions extends TransformerEncoderLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  /** Use this encoder instead of building one (called as encoder(src, { mask, srcKeyPaddingMask })). */
  customEncoder?: AnyModule | null;
  /** Use this decoder instead (called as decoder(tgt, memory, masks)). */
  customDecoder?: AnyModule | null;
}

/** Options of Transformer.forward. */
export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal encoder self-attention when no srcMask is given (default false). */
  srcIsCausal?: boolean;
  /** Causal decoder self-attention when no tgtMask is given (default false). */
  tgtIsCausal?: boolean;
  /** Causal cross-attention when no memoryMask is given (default false). */
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder transformer of "Attention Is All You Need" (PyTorch's nn.Transformer): an
 * encoder (stack + final LayerNorm) over src and a decoder (stack + final LayerNorm) over tgt
 * attending to the encoder's output. Every parameter with more than one dim is re-drawn with
 * xavier_uniform_, as PyTorch does. State-dict keys: encoder.layers.0.self_attn.in_proj_weight,
 * encoder.norm.weight, decoder.layers.0.multihead_attn.out_proj.bias, decoder.norm.bias, ...
 */
export class Transformer extends Module<[src: Tensor, tgt: Tensor, opts?: TransformerForwardOptions]> {
  encoder: AnyModule;
  decoder: AnyModule;
  dModel: number;
  nhead: number;
  batchFirst: boolean;

  constructor(opts: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6 } = opts;
    const {
      customEncoder = null,
      customDecoder = null,
      dModel: _d,
      nhead: _h,
      numEncoderLayers: _e,
      numDecoderLayers: _n,
      ...lo
    } = opts;
    checkOptions('Transformer', opts, {
      ...ENCODER_LAYER,
      dModel: 'integer',
      nhead: 'integer',
      numEncoderLayers: 'integer',
      numDecoderLayers: 'integer',
      customEncoder: 'object|null',
      customDecoder: 'object|null',
    });
    this.dModel = checkPositiveInt('Transformer', 'dModel', dModel);
    this.nhead = checkPositiveInt('Transformer', 'nhead', nhead);
    checkPositiveInt('Transformer', 'numEncoderLayers', numEncoderLayers);
    checkPositiveInt('Transformer', 'numDecoderLayers', numDecoderLayers);
    this.batchFirst = opts.batchFirst ?? false;
    const norm = () =>
      new LayerNorm(dModel, { eps: opts.layerNormEps ?? 1e-5, dtype: opts.dtype, device: opts.device });
    this.encoder =
      customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, lo), numEncoderLayers, {
        norm: norm(),
      });
    this.decoder =
      customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, lo), numDecoderLayers, {
        norm: norm(),
      });
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  /** The causal mask of `sz` positions (-Infinity above the diagonal); see generateSquareSubsequentMask. */
  static generateSquareSubsequentMask(
    sz: number,
    opts: { dtype?: 'float32' | 'float64'; device?: string } = {},
  ): Tensor {
    return generateSquareSubsequentMask(sz, opts);
  }

  /**
   * Encodes src [S, N, E] and decodes tgt [T, N, E] against it ([N, S, E], [N, T, E] with
   * batchFirst; or unbatched [S, E], [T, E]); returns [T, N, E].
   */
  forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    checkOptions('Transformer.forward', opts, {
      srcMask: 'tensor|null',
      tgtMask: 'tensor|null',
      memoryMask: 'tensor|null',
      srcKeyPaddingMask: 'tensor|null',
      tgtKeyPaddingMask: 'tensor|null',
      memoryKeyPaddingMask: 'tensor|null',
      srcIsCausal: 'boolean',
      tgtIsCausal: 'boolean',
      memoryIsCausal: 'boolean',
    });
    const batched = src.ndim === 3;
    const b = this.batchFirst ? 0 : 1;
    if (batched && (tgt.ndim !== 3 || src.shape[b] !== tgt.shape[b]))
      throw new RangeError(
        `Transformer: the batch size of src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)} must be equal (batchFirst ${this.batchFirst})`,
      );
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new RangeError(
        `Transformer: the feature size of src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)} must equal dModel ${this.dModel}`,
      );
    const memory = this.encoder.call(src, {
      mask: opts.srcMask ?? null,
      srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null,
      isCausal: opts.srcIsCausal ?? false,
    }) as Tensor;
    return this.decoder.call(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
      tgtIsCausal: opts.tgtIsCausal ?? false,
      memoryIsCausal: opts.memoryIsCausal ?? false,
    }) as Tensor;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, batchFirst=${this.batchFirst}`;
  }
}
