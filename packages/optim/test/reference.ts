// Independent float64 reference implementations of the optimizers, written from the
// pseudo-code in PyTorch's documentation (plain JS numbers, one element at a time), against which
// the tensor implementations are compared step by step. Where the docs and PyTorch's code
// differ, the code is followed and the difference noted.

/** A reference optimizer: updates `params` (arrays of numbers, one per parameter) in place. */
export interface RefOptimizer {
  step(params: number[][], grads: number[][]): void;
}

/** Per-parameter, per-element state arrays, created on first use. */
function slots(init: number) {
  const store: number[][] = [];
  return (i: number, n: number): number[] => {
    store[i] ??= new Array<number>(n).fill(init);
    return store[i]!;
  };
}

/** How a step prepares each gradient element (see `prepareGrad`). */
interface GradPrep {
  lr: number;
  weightDecay: number;
  maximize: boolean;
  /** Decoupled (AdamW-style) weight decay instead of an L2 term. */
  decoupled?: boolean;
}

/**
 * Gradient element `grad` of θ[j] as PyTorch's code prepares it: negated when maximising, then
 * with decoupled decay θ[j] is shrunk by lr·weightDecay·θ[j] (in place) and the gradient left
 * alone, otherwise weightDecay·θ[j] is added to it (the L2 penalty).
 */
function prepareGrad(theta: number[], j: number, grad: number, p: GradPrep): number {
  const g = p.maximize ? -grad : grad;
  if (p.decoupled) {
    theta[j] = theta[j]! - p.lr * p.weightDecay * theta[j]!;
    return g;
  }
  return p.weightDecay !== 0 ? g + p.weightDecay * theta[j]! : g;
}

export interface RefSGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/**
 * SGD. PyTorch's code negates the gradient first when maximising (the docs' pseudo-code instead
 * adds γg at the end, which differs when weight decay is on); the code is followed.
 */
export function refSGD(o: RefSGDOptions): RefOptimizer {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = o;
  const prep = { lr, weightDecay, maximize };
  const buf = slots(0);
  let t = 0;
  return {
    step(params, grads) {
      t++;
      params.forEach((theta, i) => {
        const b = buf(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          let g = prepareGrad(theta, j, grads[i]![j]!, prep);
          if (momentum !== 0) {
            b[j] = t > 1 ? momentum * b[j]! + (1 - dampening) * g : g;
            g = nesterov ? g + momentum * b[j]! : b[j]!;
          }
          theta[j] = theta[j]! - lr * g;
        }
      });
    },
  };
}

/** Options every Adam-family reference takes (Adamax's are exactly these). */
export interface RefAdamaxOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export interface RefAdamOptions extends RefAdamaxOptions {
  amsgrad?: boolean;
  /** AdamW. */
  decoupled?: boolean;
}

/**
 * Adam / AdamW. With AMSGrad the running maximum is taken over the raw second moment v and then
 * bias-corrected, as PyTorch's code (and its current docs) do.
 */
export function refAdam(o: RefAdamOptions): RefOptimizer {
  const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false } = o;
  const [b1, b2] = betas;
  const prep = { lr, weightDecay, maximize, decoupled: o.decoupled };
  const m = slots(0);
  const v = slots(0);
  const vmax = slots(0);
  let t = 0;
  return {
    step(params, grads) {
      t++;
      params.forEach((theta, i) => {
        const mi = m(i, theta.length);
        const vi = v(i, theta.length);
        const vm = vmax(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          mi[j] = b1 * mi[j]! + (1 - b1) * g;
          vi[j] = b2 * vi[j]! + (1 - b2) * g * g;
          const mHat = mi[j]! / (1 - b1 ** t);
          let vHat: number;
          if (amsgrad) {
            vm[j] = Math.max(vm[j]!, vi[j]!);
            vHat = vm[j]! / (1 - b2 ** t);
          } else {
            vHat = vi[j]! / (1 - b2 ** t);
          }
          theta[j] = theta[j]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      });
    },
  };
}

export interface RefNAdamOptions extends RefAdamaxOptions {
  momentumDecay?: number;
  decoupled?: boolean;
}

/** NAdam with PyTorch's momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)). */
export function refNAdam(o: RefNAdamOptions): RefOptimizer {
  const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3, maximize = false } = o;
  const [b1, b2] = betas;
  const prep = { lr, weightDecay, maximize, decoupled: o.decoupled };
  const m = slots(0);
  const v = slots(0);
  const muProd: number[] = [];
  let t = 0;
  return {
    step(params, grads) {
      t++;
      const muT = b1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
      params.forEach((theta, i) => {
        muProd[i] = (muProd[i] ?? 1) * muT;
        const prodT = muProd[i]!;
        const prodNext = prodT * muNext;
        const mi = m(i, theta.length);
        const vi = v(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          mi[j] = b1 * mi[j]! + (1 - b1) * g;
          vi[j] = b2 * vi[j]! + (1 - b2) * g * g;
          const mHat = (muNext * mi[j]!) / (1 - prodNext) + ((1 - muT) * g) / (1 - prodT);
          const vHat = vi[j]! / (1 - b2 ** t);
          theta[j] = theta[j]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      });
    },
  };
}

export interface RefRAdamOptions extends RefAdamaxOptions {
  decoupled?: boolean;
}

/** RAdam; `rectified` records, per step, whether the adaptive (rectified) branch ran. */
export function refRAdam(o: RefRAdamOptions): RefOptimizer & { rectified: boolean[] } {
  const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize = false } = o;
  const [b1, b2] = betas;
  const prep = { lr, weightDecay, maximize, decoupled: o.decoupled };
  const m = slots(0);
  const v = slots(0);
  const rectified: boolean[] = [];
  let t = 0;
  return {
    rectified,
    step(params, grads) {
      t++;
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
      rectified.push(rhoT > 5);
      params.forEach((theta, i) => {
        const mi = m(i, theta.length);
        const vi = v(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          mi[j] = b1 * mi[j]! + (1 - b1) * g;
          vi[j] = b2 * vi[j]! + (1 - b2) * g * g;
          const mHat = mi[j]! / (1 - b1 ** t);
          if (rhoT > 5) {
            const l = Math.sqrt(1 - b2 ** t) / (Math.sqrt(vi[j]!) + eps);
            const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            theta[j] = theta[j]! - lr * mHat * r * l;
          } else {
            theta[j] = theta[j]! - lr * mHat;
          }
        }
      });
    },
  };
}

/** Adamax: u ← max(β₂u, |g| + ε). */
export function refAdamax(o: RefAdamaxOptions): RefOptimizer {
  const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize = false } = o;
  const [b1, b2] = betas;
  const prep = { lr, weightDecay, maximize };
  const m = slots(0);
  const u = slots(0);
  let t = 0;
  return {
    step(params, grads) {
      t++;
      params.forEach((theta, i) => {
        const mi = m(i, theta.length);
        const ui = u(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          mi[j] = b1 * mi[j]! + (1 - b1) * g;
          ui[j] = Math.max(b2 * ui[j]!, Math.abs(g) + eps);
          theta[j] = theta[j]! - (lr * mi[j]!) / ((1 - b1 ** t) * ui[j]!);
        }
      });
    },
  };
}

export interface RefRMSpropOptions {
  lr: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

/** RMSprop, optionally centered and with momentum. */
export function refRMSprop(o: RefRMSpropOptions): RefOptimizer {
  const {
    lr,
    alpha = 0.99,
    eps = 1e-8,
    weightDecay = 0,
    momentum = 0,
    centered = false,
    maximize = false,
  } = o;
  const prep = { lr, weightDecay, maximize };
  const v = slots(0);
  const gAve = slots(0);
  const b = slots(0);
  return {
    step(params, grads) {
      params.forEach((theta, i) => {
        const vi = v(i, theta.length);
        const gi = gAve(i, theta.length);
        const bi = b(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          vi[j] = alpha * vi[j]! + (1 - alpha) * g * g;
          let vTilde = vi[j]!;
          if (centered) {
            gi[j] = gi[j]! * alpha + (1 - alpha) * g;
            vTilde = vTilde - gi[j]! * gi[j]!;
          }
          if (momentum > 0) {
            bi[j] = momentum * bi[j]! + g / (Math.sqrt(vTilde) + eps);
            theta[j] = theta[j]! - lr * bi[j]!;
          } else {
            theta[j] = theta[j]! - (lr * g) / (Math.sqrt(vTilde) + eps);
          }
        }
      });
    },
  };
}

export interface RefAdagradOptions {
  lr: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/** Adagrad with learning-rate decay γ/(1 + (t − 1)η). */
export function refAdagrad(o: RefAdagradOptions): RefOptimizer {
  const { lr, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = o;
  const prep = { lr, weightDecay, maximize };
  const sum = slots(initialAccumulatorValue);
  let t = 0;
  return {
    step(params, grads) {
      t++;
      const clr = lr / (1 + (t - 1) * lrDecay);
      params.forEach((theta, i) => {
        const s = sum(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          s[j] = s[j]! + g * g;
          theta[j] = theta[j]! - (clr * g) / (Math.sqrt(s[j]!) + eps);
        }
      });
    },
  };
}

export interface RefAdadeltaOptions {
  lr: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/** Adadelta: Δx = √(u + ε)/√(v + ε)·g. */
export function refAdadelta(o: RefAdadeltaOptions): RefOptimizer {
  const { lr, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize = false } = o;
  const prep = { lr, weightDecay, maximize };
  const v = slots(0);
  const u = slots(0);
  return {
    step(params, grads) {
      params.forEach((theta, i) => {
        const vi = v(i, theta.length);
        const ui = u(i, theta.length);
        for (let j = 0; j < theta.length; j++) {
          const g = prepareGrad(theta, j, grads[i]![j]!, prep);
          vi[j] = rho * vi[j]! + (1 - rho) * g * g;
          const dx = (Math.sqrt(ui[j]! + eps) / Math.sqrt(vi[j]! + eps)) * g;
          ui[j] = rho * ui[j]! + (1 - rho) * dx * dx;
          theta[j] = theta[j]! - lr * dx;
        }
      });
    },
  };
}
