/**
 * The two networks of the dcgan-mnist example (Radford et al., 2016, sized for 28x28 digits):
 * a generator that upsamples a latent vector with ConvTranspose2d + BatchNorm2d + ReLU to a
 * Tanh image, and a discriminator of strided convolutions with LeakyReLU(0.2), optionally
 * spectrally normalised (Miyato et al., 2018), ending in one logit.
 */
import {
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  init,
  LeakyReLU,
  Linear,
  Module,
  Parameter,
  ReLU,
  Sequential,
  spectralNorm,
  Tanh,
  Unflatten,
} from '@tessera/nn';
import { type Tensor, tensor } from '@tessera/tensor';

/** Sizes of the generator. */
export interface GeneratorSize {
  /** Length of the latent vector z (default 64). */
  latent?: number;
  /** Channels at 14x14; 7x7 has twice as many (default 32). */
  width?: number;
  /**
   * Categories of a categorical latent code (InfoGAN, Chen et al., 2016), given one-hot after z
   * (default 0: none).
   */
  codes?: number;
  /**
   * How often each code is drawn (weights, `codes` of them; default uniform): a conditional
   * generator draws its classes or clusters as often as the training data has them.
   */
  codePrior?: readonly number[];
}

/** z [N, latent + codes] (noise, then the one-hot code) -> image [N, 1, 28, 28] in (-1, 1). */
export class DcganGenerator extends Module {
  net: Sequential;
  latent: number;
  codes: number;
  /** The weights the codes are drawn with, float32 [codes] on the CPU (undefined: uniform). */
  readonly codePrior?: Tensor;

  constructor(size: GeneratorSize = {}) {
    super();
    this.latent = size.latent ?? 64;
    this.codes = size.codes ?? 0;
    if (size.codePrior !== undefined) {
      const p = size.codePrior;
      if (p.length !== this.codes || !p.every((v) => v >= 0 && Number.isFinite(v)) || !p.some((v) => v > 0)) {
        throw new RangeError(
          `DcganGenerator: codePrior must be ${this.codes} finite weights >= 0, not all 0, got [${p}]`,
        );
      }
      // Made once: sampleInput draws from it every step.
      this.codePrior = tensor([...p], { dtype: 'float32' });
    }
    const w = size.width ?? 32;
    this.net = new Sequential(
      // A linear layer, not a 7x7 ConvTranspose2d from 1x1: the same map, much faster on the CPU.
      new Linear(this.latent + this.codes, 2 * w * 7 * 7, { bias: false }),
      new Unflatten(1, [2 * w, 7, 7]), // 7x7
      new BatchNorm2d(2 * w),
      new ReLU(),
      new ConvTranspose2d(2 * w, w, 4, { stride: 2, padding: 1, bias: false }), // 14x14
      new BatchNorm2d(w),
      new ReLU(),
      new ConvTranspose2d(w, 1, 4, { stride: 2, padding: 1 }), // 28x28
      new Tanh(),
    );
  }

  /** Generates images from latent vectors. */
  forward(z: Tensor): Tensor {
    const n = this.latent + this.codes;
    if (z.ndim !== 2 || z.shape[1] !== n) {
      throw new RangeError(`DcganGenerator: expected z of shape [N, ${n}], got [${z.shape}]`);
    }
    return this.net.call(z);
  }
}

/** Sizes and options of the discriminator. */
export interface DiscriminatorOptions {
  /** Channels at 14x14; 7x7 has twice as many (default 32). */
  width?: number;
  /**
   * Spectral normalisation of every convolution and the linear layer, in place of the BatchNorm2d
   * after the second convolution (default false).
   */
  spectralNorm?: boolean;
  /**
   * Categories of the generator's latent code: a linear head on the discriminator's features
   * predicts the code from an image (InfoGAN's Q network; default 0: no head).
   */
  codes?: number;
}

/**
 * image [N, 1, 28, 28] -> logit [N, 1] that the image is real. As in the paper, BatchNorm2d
 * follows the second convolution (not the first); with spectral norm there is none, so the
 * spectral norm alone bounds the discriminator. With BatchNorm a batch must be all real or all
 * generated (each has its own statistics).
 */
export class DcganDiscriminator extends Module {
  net: Sequential;
  /** The code head (InfoGAN's Q), when `codes` > 0. */
  q?: Linear;

  constructor(opts: DiscriminatorOptions = {}) {
    super();
    const w = opts.width ?? 32;
    const sn = <M extends Module>(m: M): M => (opts.spectralNorm ? (spectralNorm(m) as M) : m);
    this.net = new Sequential(
      sn(new Conv2d(1, w, 4, { stride: 2, padding: 1 })), // 14x14
      new LeakyReLU(0.2),
      ...(opts.spectralNorm
        ? [sn(new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1 }))]
        : [new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(2 * w)]), // 7x7
      new LeakyReLU(0.2),
      new Flatten(),
      sn(new Linear(2 * w * 7 * 7, 1)),
    );
    if ((opts.codes ?? 0) > 0) this.q = new Linear(2 * w * 7 * 7, opts.codes!);
  }

  /** The real-vs-generated logit of each image. */
  forward(x: Tensor): Tensor {
    return this.net.call(x);
  }

  /** The logit [N, 1] and the code head's logits [N, codes] of each image, from shared features. */
  withCode(x: Tensor): { logit: Tensor; code: Tensor } {
    if (this.q === undefined) throw new Error('DcganDiscriminator: no code head (codes is 0)');
    let h = x;
    const last = this.net.length - 1;
    for (let i = 0; i < last; i++) h = this.net.at(i).call(h) as Tensor;
    return { logit: this.net.at(last).call(h) as Tensor, code: this.q.call(h) as Tensor };
  }
}

/**
 * The DCGAN paper's initialisation: convolution and linear weights from N(0, 0.02), BatchNorm scales from
 * N(1, 0.02) and shifts zero (spectrally normalised layers keep their `weight_orig` as is).
 */
export function dcganInit(model: Module): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof Linear) {
      // After spectralNorm `weight` is a computed tensor, not a Parameter: it is left alone.
      if (m.weight instanceof Parameter) init.normal_(m.weight, 0, 0.02);
    } else if (m instanceof BatchNorm2d) {
      init.normal_(m.weight!, 1, 0.02);
      init.zeros_(m.bias!);
    }
  }
}
