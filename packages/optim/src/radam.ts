import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { type AdamFamilyOptions, checkAdamFamily, decayedGrad, updateMoments } from './adam-family.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { checkBoolean, resolveOptions } from './validate.js';

/** Options of `RAdam` (PyTorch defaults). */
export interface RAdamOptions extends AdamFamilyOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
}

type RAdamConfig = Required<RAdamOptions>;

const DEFAULTS: RAdamConfig = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
};

/**
 * RAdam (Liu et al.): Adam whose adaptive step is switched on, and rectified, once the variance
 * of the adaptive learning rate is tractable, exactly as `torch.optim.RAdam`. With
 * ρ∞ = 2/(1 − β₂) − 1 and ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ): if ρₜ > 5,
 * θ ← θ − γ·m̂·r·√(1 − β₂ᵗ)/(√v + ε) with r = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)); else θ ← θ − γm̂.
 * State: `step`, `expAvg`, `expAvgSq`.
 */
export class RAdam extends Optimizer<RAdamConfig> {
  protected readonly stateKeys = ['step', 'expAvg', 'expAvgSq'] as const;

  constructor(params: ParamsInput<RAdamOptions>, options?: RAdamOptions) {
    super('RAdam', params as ParamsInput<RAdamConfig>, resolveOptions('RAdam', DEFAULTS, options));
  }

  protected validateGroup(o: RAdamConfig): void {
    checkAdamFamily(this.name, o);
    checkBoolean(this.name, 'decoupledWeightDecay', o.decoupledWeightDecay);
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<RAdamConfig>): void {
    const { lr, eps } = group;
    const [beta1, beta2] = group.betas;
    for (const { value, grad, state } of this.withGrads(group)) {
      const step = beginStep(state, () => ({ expAvg: zerosLike(value), expAvgSq: zerosLike(value) }));
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;

      const g = decayedGrad(value, grad, group);
      updateMoments(expAvg, expAvgSq, g, beta1, beta2);
      if (g !== grad) g.dispose();

      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;

      // update = (m / bc1) * lr [* √bc2 / (√v + ε) * rect]
      const update = expAvg.div(biasCorrection1);
      update.mul_(lr);
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const denom = expAvgSq.sqrt();
        denom.add_(eps);
        update.mul_(Math.sqrt(biasCorrection2));
        update.div_(denom);
        update.mul_(rect);
        denom.dispose();
      }
      value.sub_(update);
      update.dispose();
    }
  }
}
