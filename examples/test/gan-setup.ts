// A GanSetup for the dcgan-mnist tests: two networks on the CPU, each with its own Adam.
import { Adam } from '@tessera/optim';
import { Generator } from '@tessera/tensor';
import type { DcganDiscriminator, DcganGenerator } from '../src/dcgan-mnist-models.js';
import type { GanSetup } from '../src/dcgan-mnist-train.js';

/** Adam's settings of the two networks (the discriminator's lr defaults to the generator's). */
export interface TinyOptim {
  lr: number;
  dLr?: number;
  betas?: [number, number];
}

/**
 * The setup of a test's training epoch: Adam for each network, latent noise from Generator(1),
 * real label 0.9, the CPU; `extra` adds or overrides fields (loss, augment, r1, ema, ...).
 */
export function tinyGanSetup(
  generator: DcganGenerator,
  discriminator: DcganDiscriminator,
  optim: TinyOptim,
  extra: Partial<GanSetup> = {},
): GanSetup {
  const betas = optim.betas === undefined ? {} : { betas: optim.betas };
  return {
    generator,
    discriminator,
    optG: new Adam(generator.parameters(), { lr: optim.lr, ...betas }),
    optD: new Adam(discriminator.parameters(), { lr: optim.dLr ?? optim.lr, ...betas }),
    noise: new Generator(1),
    realLabel: 0.9,
    device: 'cpu',
    ...extra,
  };
}
