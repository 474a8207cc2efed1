import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { effectiveGrad } from './update-ops.js';
import { checkBoolean, checkLr, checkNumber, resolveOptions } from './validate.js';

/** Options of `Adadelta` (PyTorch defaults). */
export interface AdadeltaOptions {
  /** Scale of the computed update (default 1). */
  lr?: number;
  /** Decay rate of the squared-gradient and squared-update averages (default 0.9). */
  rho?: number;
  /** Added inside the square roots for numerical stability (default 1e-6). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

type AdadeltaConfig = Required<AdadeltaOptions>;

const DEFAULTS: AdadeltaConfig = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false };

/**
 * Adadelta (Zeiler), exactly as `torch.optim.Adadelta`: v ← ρv + (1 − ρ)g²,
 * Δ = √(u + ε)/√(v + ε) · g, u ← ρu + (1 − ρ)Δ², θ ← θ − γΔ.
 * State: `step`, `squareAvg`, `accDelta`.
 */
export class Adadelta extends Optimizer<AdadeltaConfig> {
  protected readonly stateKeys = ['step', 'squareAvg', 'accDelta'] as const;

  constructor(params: ParamsInput<AdadeltaOptions>, options?: AdadeltaOptions) {
    super('Adadelta', params as ParamsInput<AdadeltaConfig>, resolveOptions('Adadelta', DEFAULTS, options));
  }

  protected validateGroup(o: AdadeltaConfig): void {
    checkLr(this.name, o.lr);
    checkNumber(this.name, 'rho', o.rho, { min: 0, max: 1 });
    checkNumber(this.name, 'eps', o.eps, { min: 0 });
    checkNumber(this.name, 'weightDecay', o.weightDecay, { min: 0 });
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<AdadeltaConfig>): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const { value, grad, state } of this.withGrads(group)) {
      beginStep(state, () => ({ squareAvg: zerosLike(value), accDelta: zerosLike(value) }));
      const squareAvg = state.squareAvg as Tensor;
      const accDelta = state.accDelta as Tensor;

      const g = effectiveGrad(value, grad, maximize, weightDecay);
      squareAvg.mul_(rho).addcmul_(g, g, 1 - rho);
      const std = squareAvg.add(eps);
      std.sqrt_();
      const delta = accDelta.add(eps);
      delta.sqrt_();
      delta.div_(std);
      delta.mul_(g);
      std.dispose();
      if (g !== grad) g.dispose();
      accDelta.mul_(rho).addcmul_(delta, delta, 1 - rho);
      value.add_(delta, -lr);
      delta.dispose();
    }
  }
}
