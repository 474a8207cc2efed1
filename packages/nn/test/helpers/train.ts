import { noGrad } from '@tessera/autograd';
import type { Parameter } from '@tessera/nn';
import { type Tensor, zerosLike } from '@tessera/tensor';

export { prng as mulberry32 } from '../../../../tests/repo/prng.js';

/**
 * A minimal Adam (Kingma & Ba) written for the tests, so that @tessera/nn's tests do not depend
 * on @tessera/optim. Updates run in place under noGrad.
 */
export class TinyAdam {
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  private t = 0;

  constructor(
    private readonly params: Parameter[],
    public lr = 1e-3,
    private readonly betas: [number, number] = [0.9, 0.999],
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => zerosLike(p));
    this.v = params.map((p) => zerosLike(p));
  }

  /** One update from the parameters' current gradients. */
  step(): void {
    this.t++;
    const [b1, b2] = this.betas;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad;
        if (g === null) return;
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.mul_(b1).add_(g, 1 - b1);
        v.mul_(b2).addcmul_(g, g, 1 - b2);
        p.addcdiv_(m, v.sqrt().div(Math.sqrt(bc2)).add(this.eps), -this.lr / bc1);
      });
    });
  }

  /** Clears the gradients. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

/** Plain SGD with momentum, for the tests. */
export class TinySGD {
  private readonly buf: (Tensor | null)[];

  constructor(
    private readonly params: Parameter[],
    private readonly lr: number,
    private readonly momentum = 0,
  ) {
    this.buf = params.map(() => null);
  }

  /** One update: v = momentum v + g; p -= lr v. */
  step(): void {
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad;
        if (g === null) return;
        let d = g;
        if (this.momentum !== 0) {
          const b = this.buf[i];
          if (b === null || b === undefined) this.buf[i] = d = g.clone();
          else d = b.mul_(this.momentum).add_(g);
        }
        p.sub_(d, this.lr);
      });
    });
  }

  /** Clears the gradients. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
