import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { checkAdamFamily } from './adam-family.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { effectiveGrad } from './update-ops.js';
import { checkBoolean, resolveOptions } from './validate.js';

/** Options of `Adamax` (PyTorch defaults). */
export interface AdamaxOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Decay rates of the first moment and of the infinity norm (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to |g| for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

type AdamaxConfig = Required<AdamaxOptions>;

const DEFAULTS: AdamaxConfig = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };

/**
 * Adamax (Kingma & Ba): Adam with the infinity norm, exactly as `torch.optim.Adamax`:
 * m ← β₁m + (1 − β₁)g, u ← max(β₂u, |g| + ε), θ ← θ − γ/(1 − β₁ᵗ) · m/u.
 * State: `step`, `expAvg`, `expInf`.
 */
export class Adamax extends Optimizer<AdamaxConfig> {
  protected readonly stateKeys = ['step', 'expAvg', 'expInf'] as const;

  constructor(params: ParamsInput<AdamaxOptions>, options?: AdamaxOptions) {
    super('Adamax', params as ParamsInput<AdamaxConfig>, resolveOptions('Adamax', DEFAULTS, options));
  }

  protected validateGroup(o: AdamaxConfig): void {
    checkAdamFamily(this.name, o);
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<AdamaxConfig>): void {
    const { lr, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const { value, grad, state } of this.withGrads(group)) {
      const step = beginStep(state, () => ({ expAvg: zerosLike(value), expInf: zerosLike(value) }));
      const expAvg = state.expAvg as Tensor;
      const expInf = state.expInf as Tensor;

      const g = effectiveGrad(value, grad, maximize, weightDecay);
      expAvg.lerp_(g, 1 - beta1);
      const absG = g.abs();
      absG.add_(eps);
      expInf.mul_(beta2).maximum_(absG);
      absG.dispose();
      if (g !== grad) g.dispose();

      const clr = lr / (1 - beta1 ** step);
      value.addcdiv_(expAvg, expInf, -clr);
    }
  }
}
