import type { Tensor } from '@tessera/tensor';
import { effectiveGrad } from './update-ops.js';
import { checkBetas, checkLr, checkNumber } from './validate.js';

// What Adam, AdamW, NAdam, RAdam (and, for the checks and moments, Adamax) have in common.

/** Options shared by `Adam`, `NAdam` and `RAdam` (each declares its own `lr` and default). */
export interface AdamFamilyOptions {
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay: an L2 penalty added to the gradient, or decoupled (see below) (default 0). */
  weightDecay?: number;
  /** Decay the weights directly (θ ← θ(1 − γλ), AdamW) instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

/** Checks the options every Adam-family optimizer has: `lr`, `betas`, `eps` and `weightDecay`. */
export function checkAdamFamily(
  op: string,
  o: { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number },
): void {
  checkLr(op, o.lr);
  checkBetas(op, o.betas);
  checkNumber(op, 'eps', o.eps, { min: 0 });
  checkNumber(op, 'weightDecay', o.weightDecay, { min: 0 });
}

/**
 * Applies weight decay and returns the gradient the moments see: with decoupled decay the
 * parameter is scaled in place, θ ← θ(1 − γλ), and the gradient is left alone; otherwise λθ is
 * added to it (see `effectiveGrad`, which also negates it when maximising). A result other than
 * `grad` is a new tensor the caller disposes.
 */
export function decayedGrad(
  value: Tensor,
  grad: Tensor,
  o: { lr: number; weightDecay: number; decoupledWeightDecay: boolean; maximize: boolean },
): Tensor {
  if (o.decoupledWeightDecay && o.weightDecay !== 0) value.mul_(1 - o.lr * o.weightDecay);
  return effectiveGrad(value, grad, o.maximize, o.decoupledWeightDecay ? 0 : o.weightDecay);
}

/** Updates Adam's moment averages in place: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g². */
export function updateMoments(
  expAvg: Tensor,
  expAvgSq: Tensor,
  g: Tensor,
  beta1: number,
  beta2: number,
): void {
  expAvg.lerp_(g, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
}
