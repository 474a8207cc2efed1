// Test problems with hand-written gradients (no autograd): a quadratic, a small tanh network,
// the Rosenbrock function and a noisy least-squares fit. Parameters are arrays of numbers (one
// per parameter tensor, row-major), so the same code drives the tensor optimizers and the
// float64 references.

import type { Optimizer, ParamLike } from '@tessera/optim';
import { type DType, type Tensor, tensor } from '@tessera/tensor';
import { prng } from '../../../tests/repo/prng.js';

export { prng };

/** Standard normal samples from a uniform PRNG (Box–Muller). */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A differentiable test problem over a list of parameters. */
export interface Problem {
  shapes: number[][];
  init(): number[][];
  loss(params: number[][]): number;
  grad(params: number[][]): number[][];
}

/**
 * f(x) = ½ xᵀAx − bᵀx over one parameter of shape [2, 3] (flattened), A symmetric positive
 * definite (eigenvalues ~0.5 to 4): ∇f = Ax − b.
 */
export function quadratic(): Problem & { solution: number[] } {
  const n = 6;
  const r = prng(1);
  // A = MᵀM/n + 0.5·I
  const M = Array.from({ length: n }, () => Array.from({ length: n }, () => r() * 2 - 1));
  const A = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => M.reduce((s, row) => s + row[i]! * row[j]!, 0) / 2 + (i === j ? 0.5 : 0),
    ),
  );
  const b = Array.from({ length: n }, () => r() * 2 - 1);
  const Ax = (x: number[]) => A.map((row) => row.reduce((s, a, j) => s + a * x[j]!, 0));
  return {
    shapes: [[2, 3]],
    init: () => [[1, -2, 0.5, 1.5, -1, 2]],
    loss: ([x]) => {
      const ax = Ax(x!);
      return x!.reduce((s, xi, i) => s + 0.5 * xi * ax[i]! - b[i]! * xi, 0);
    },
    grad: ([x]) => [Ax(x!).map((v, i) => v - b[i]!)],
    solution: solve(A, b),
  };
}

/** Solves Ax = b by Gaussian elimination with partial pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * A 3 → 4 → 2 network, out = tanh(X W1ᵀ + b1) W2ᵀ + b2, with loss ½·mean over samples of
 * ‖out − Y‖², on 8 fixed samples. Parameters: W1 [4,3], b1 [4], W2 [2,4], b2 [2]. The gradient
 * is written out by backpropagation by hand.
 */
export function tanhNet(): Problem {
  const N = 8;
  const IN = 3;
  const H = 4;
  const OUT = 2;
  const r = prng(7);
  const X = Array.from({ length: N }, () => Array.from({ length: IN }, () => r() * 2 - 1));
  const Y = X.map((x) => [Math.sin(x[0]! + x[1]!), x[2]! * x[0]! - 0.5]);
  const forward = ([W1, b1, W2, b2]: number[][]) => {
    const h = X.map((x) =>
      Array.from({ length: H }, (_, k) =>
        Math.tanh(x.reduce((s, xi, i) => s + W1![k * IN + i]! * xi, b1![k]!)),
      ),
    );
    const out = h.map((hn) =>
      Array.from({ length: OUT }, (_, o) => hn.reduce((s, hk, k) => s + W2![o * H + k]! * hk, b2![o]!)),
    );
    return { h, out };
  };
  return {
    shapes: [[H, IN], [H], [OUT, H], [OUT]],
    init: () => {
      const q = prng(11);
      return [
        Array.from({ length: H * IN }, () => q() - 0.5),
        Array.from({ length: H }, () => (q() - 0.5) * 0.2),
        Array.from({ length: OUT * H }, () => q() - 0.5),
        Array.from({ length: OUT }, () => (q() - 0.5) * 0.2),
      ];
    },
    loss: (params) => {
      const { out } = forward(params);
      let s = 0;
      for (const [n, o] of out.entries()) for (const [k, v] of o.entries()) s += 0.5 * (v - Y[n]![k]!) ** 2;
      return s / N;
    },
    grad: (params) => {
      const [, , W2] = params;
      const { h, out } = forward(params);
      const gW1 = new Array<number>(H * IN).fill(0);
      const gb1 = new Array<number>(H).fill(0);
      const gW2 = new Array<number>(OUT * H).fill(0);
      const gb2 = new Array<number>(OUT).fill(0);
      for (let n = 0; n < N; n++) {
        const dOut = out[n]!.map((v, k) => (v - Y[n]![k]!) / N);
        for (let o = 0; o < OUT; o++) {
          gb2[o]! += dOut[o]!;
          for (let k = 0; k < H; k++) gW2[o * H + k]! += dOut[o]! * h[n]![k]!;
        }
        for (let k = 0; k < H; k++) {
          let dh = 0;
          for (let o = 0; o < OUT; o++) dh += dOut[o]! * W2![o * H + k]!;
          const dPre = dh * (1 - h[n]![k]! ** 2);
          gb1[k]! += dPre;
          for (let i = 0; i < IN; i++) gW1[k * IN + i]! += dPre * X[n]![i]!;
        }
      }
      return [gW1, gb1, gW2, gb2];
    },
  };
}

/** Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)², one parameter of shape [2], minimum at (1, 1). */
export function rosenbrock(start: [number, number] = [-1.5, 2]): Problem {
  return {
    shapes: [[2]],
    init: () => [[...start]],
    loss: (ps: number[][]) => {
      const [x = Number.NaN, y = Number.NaN] = ps[0] ?? [];
      return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2;
    },
    grad: (ps: number[][]) => {
      const [x = Number.NaN, y = Number.NaN] = ps[0] ?? [];
      return [[-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)]];
    },
  };
}

/**
 * Least squares ½·mean‖Xw + c − y‖² on 64 samples of 5 features with Gaussian label noise;
 * gradients are taken on random mini-batches of 8 (so they are noisy). Parameters: w [5], c [1].
 * `loss` is the full-data loss; `optimum` its minimum (solved exactly).
 */
export function noisyLeastSquares(seed = 3): Problem & { optimum: number; nextBatch(): void } {
  const N = 64;
  const D = 5;
  const r = prng(seed);
  const noise = gaussian(r);
  const X = Array.from({ length: N }, () => Array.from({ length: D }, () => noise()));
  const wTrue = [1.5, -2, 0.5, 3, -1];
  const y = X.map((x) => x.reduce((s, xi, i) => s + xi * wTrue[i]!, 0.7) + 0.1 * noise());
  const fullLoss = (w: number[], c: number) =>
    X.reduce((s, x, n) => s + 0.5 * (x.reduce((a, xi, i) => a + xi * w[i]!, c) - y[n]!) ** 2, 0) / N;
  // Normal equations over [X, 1].
  const Z = X.map((x) => [...x, 1]);
  const ZtZ = Array.from({ length: D + 1 }, (_, i) =>
    Array.from({ length: D + 1 }, (_, j) => Z.reduce((s, z) => s + z[i]! * z[j]!, 0)),
  );
  const Zty = Array.from({ length: D + 1 }, (_, i) => Z.reduce((s, z, n) => s + z[i]! * y[n]!, 0));
  const sol = solve(ZtZ, Zty);
  const batchRand = prng(seed + 100);
  let batch: number[] = [];
  const nextBatch = () => {
    batch = Array.from({ length: 8 }, () => Math.floor(batchRand() * N));
  };
  nextBatch();
  return {
    shapes: [[D], [1]],
    init: () => [new Array<number>(D).fill(0), [0]],
    loss: ([w, c]) => fullLoss(w!, c![0]!),
    grad: ([w, c]) => {
      const gw = new Array<number>(D).fill(0);
      let gc = 0;
      for (const n of batch) {
        const e = X[n]!.reduce((a, xi, i) => a + xi * w![i]!, c![0]!) - y[n]!;
        for (let i = 0; i < D; i++) gw[i]! += (e * X[n]![i]!) / batch.length;
        gc += e / batch.length;
      }
      return [gw, [gc]];
    },
    optimum: fullLoss(sol.slice(0, D), sol[D]!),
    nextBatch,
  };
}

/** Parameters as tensors of `dtype`, given as `{ value, grad }` records or as tensors with `grad`. */
export function makeParams(
  values: number[][],
  shapes: number[][],
  dtype: DType,
  form: 'slot' | 'tensor',
): ParamLike[] {
  return values.map((v, i) => {
    const t = tensor(v, { dtype, shape: shapes[i]! });
    if (form === 'slot') return { value: t, grad: null };
    (t as Tensor & { grad: Tensor | null }).grad = null;
    return t;
  });
}

/** Reads each parameter's value as a plain array. */
export function readParams(params: readonly ParamLike[]): number[][] {
  return params.map((p) => Array.from(('value' in p ? p.value : p).dataSync()));
}

/** Sets each parameter's gradient to a new tensor holding `grads[i]`. */
export function setGrads(params: readonly ParamLike[], grads: number[][]): void {
  params.forEach((p, i) => {
    const v = 'value' in p ? p.value : p;
    const slot = p as { grad: Tensor | null };
    slot.grad?.dispose();
    slot.grad = tensor(grads[i]!, { dtype: v.dtype, shape: v.shape });
  });
}

/** Runs `steps` optimizer steps on `problem` with hand-computed gradients; returns the final values. */
export function train(
  opt: Optimizer<object>,
  params: ParamLike[],
  problem: Problem,
  steps: number,
  each?: () => void,
): number[][] {
  for (let s = 0; s < steps; s++) {
    setGrads(params, problem.grad(readParams(params)));
    opt.step();
    each?.();
  }
  return readParams(params);
}
