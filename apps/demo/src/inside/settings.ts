import {
  DEPTHS,
  INITS,
  INSIDE_ACTIVATIONS,
  INSIDE_LRS,
  INSIDE_OPTIMIZERS,
  type InsideConfig,
} from './protocol.js';

const DEFAULTS: InsideConfig = { depth: 6, activation: 'relu', init: 'default', optimizer: 'sgd', lr: 0.1 };

/** A ready-made setup that shows a typical failure (or health), with the note the page shows. */
export interface InsidePreset {
  label: string;
  config: InsideConfig;
  note: string;
}

/** The Inside page's presets, in button order. */
export const PRESETS: readonly InsidePreset[] = [
  {
    label: 'Healthy',
    config: { depth: 6, activation: 'relu', init: 'kaiming', optimizer: 'adam', lr: 0.01 },
    note: 'He initialisation keeps activations and gradients at a similar scale in every layer.',
  },
  {
    label: 'Vanishing gradients',
    config: { depth: 10, activation: 'sigmoid', init: 'default', optimizer: 'sgd', lr: 0.1 },
    note: 'Each sigmoid scales the gradient by at most 0.25: the gradients of the first layers shrink towards 10⁻⁸ and they stop learning.',
  },
  {
    label: 'Exploding',
    config: { depth: 8, activation: 'relu', init: 'large', optimizer: 'sgd', lr: 0.01 },
    note: 'Weights with standard deviation 1 multiply the signal by about 4 per layer: activations and gradients grow layer after layer.',
  },
  {
    label: 'Dead ReLUs',
    config: { depth: 6, activation: 'relu', init: 'default', optimizer: 'sgd', lr: 1 },
    note: 'A learning rate that is far too large pushes units to a negative input everywhere; a dead ReLU passes no gradient and never recovers.',
  },
];

/** Reads the Inside settings from URL parameters (invalid or missing ones take defaults). */
export function decodeInside(p: URLSearchParams): InsideConfig {
  const num = <T extends number>(list: readonly T[], v: string | null, d: T) =>
    list.find((x) => String(x) === v) ?? d;
  return {
    depth: num(DEPTHS, p.get('depth'), DEFAULTS.depth as (typeof DEPTHS)[number]),
    activation: INSIDE_ACTIVATIONS.find((a) => a === p.get('activation')) ?? DEFAULTS.activation,
    init: INITS.find((a) => a === p.get('init')) ?? DEFAULTS.init,
    optimizer: INSIDE_OPTIMIZERS.find((a) => a === p.get('optimizer')) ?? DEFAULTS.optimizer,
    lr: num(INSIDE_LRS, p.get('lr'), DEFAULTS.lr as (typeof INSIDE_LRS)[number]),
  };
}

/** The Inside settings as URL parameters (what `decodeInside` reads back). */
export function encodeInside(c: InsideConfig): URLSearchParams {
  return new URLSearchParams({
    depth: String(c.depth),
    activation: c.activation,
    init: c.init,
    optimizer: c.optimizer,
    lr: String(c.lr),
  });
}
