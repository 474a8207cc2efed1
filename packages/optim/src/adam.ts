import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { type AdamFamilyOptions, checkAdamFamily, decayedGrad, updateMoments } from './adam-family.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { checkBoolean, resolveOptions } from './validate.js';

/** Options of `Adam` (PyTorch defaults). */
export interface AdamOptions extends AdamFamilyOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Use AMSGrad: divide by the running maximum of the second moment (default false). */
  amsgrad?: boolean;
}

/** Options of `AdamW`: Adam's, with decoupled weight decay (default 1e-2). */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

type AdamConfig = Required<AdamOptions>;

const ADAM_DEFAULTS: AdamConfig = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupledWeightDecay: false,
};

/**
 * Adam (Kingma & Ba), exactly as `torch.optim.Adam`:
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², v̂max ← max(v̂max, v) with AMSGrad,
 * θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 * State: `step`, `expAvg`, `expAvgSq`, `maxExpAvgSq` (AMSGrad).
 */
export class Adam extends Optimizer<AdamConfig> {
  protected readonly stateKeys = ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] as const;

  constructor(params: ParamsInput<AdamOptions>, options?: AdamOptions);
  /** @internal Used by AdamW. */
  constructor(
    params: ParamsInput<AdamOptions>,
    options: AdamOptions | undefined,
    name: string,
    defaults: AdamConfig,
  );
  constructor(
    params: ParamsInput<AdamOptions>,
    options?: AdamOptions,
    name = 'Adam',
    defaults = ADAM_DEFAULTS,
  ) {
    super(name, params as ParamsInput<AdamConfig>, resolveOptions(name, defaults, options));
  }

  protected validateGroup(o: AdamConfig): void {
    checkAdamFamily(this.name, o);
    checkBoolean(this.name, 'amsgrad', o.amsgrad);
    checkBoolean(this.name, 'maximize', o.maximize);
    checkBoolean(this.name, 'decoupledWeightDecay', o.decoupledWeightDecay);
  }

  protected updateGroup(group: ParamGroup<AdamConfig>): void {
    const { lr, eps, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    for (const { value, grad, state } of this.withGrads(group)) {
      const step = beginStep(state, () => ({ expAvg: zerosLike(value), expAvgSq: zerosLike(value) }));
      if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLike(value);
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;

      const g = decayedGrad(value, grad, group);
      updateMoments(expAvg, expAvgSq, g, beta1, beta2);
      if (g !== grad) g.dispose();

      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
      const stepSize = lr / biasCorrection1;
      let second = expAvgSq;
      if (amsgrad) {
        const maxSq = state.maxExpAvgSq as Tensor;
        maxSq.maximum_(expAvgSq);
        second = maxSq;
      }
      // As torch.optim.adam: denom = (v.sqrt() / bias_correction2_sqrt).add_(eps).
      const denom = second.sqrt().div_(biasCorrection2Sqrt).add_(eps);
      value.addcdiv_(expAvg, denom, -stepSize);
      denom.dispose();
    }
  }
}

const ADAMW_DEFAULTS: AdamConfig = { ...ADAM_DEFAULTS, weightDecay: 1e-2, decoupledWeightDecay: true };

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, θ ← θ(1 − γλ) before the Adam
 * update, exactly as `torch.optim.AdamW` (default weightDecay 1e-2).
 */
export class AdamW extends Adam {
  constructor(params: ParamsInput<AdamWOptions>, options?: AdamWOptions) {
    if (options !== undefined && options !== null && 'decoupledWeightDecay' in options) {
      throw new RangeError(
        `AdamW: unknown option 'decoupledWeightDecay' (AdamW always decouples weight decay)`,
      );
    }
    super(params, options, 'AdamW', ADAMW_DEFAULTS);
  }
}
