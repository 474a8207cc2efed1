import { checkOptions, Generator, randn, Tensor, tensor, zeros } from '@tessera/tensor';
import { autogradGrad } from './backward.js';
import { requiresGrad } from './meta.js';
import { enableGrad, noGrad } from './mode.js';
import { fmt } from './util.js';

/** Options of `gradcheck` / `gradgradcheck`. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, relative to the numerical value (default 1e-3). */
  rtol?: number;
  /** Throw on a mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

/** Options of `gradgradcheck`. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** Weights of the outputs for the first backward (default: random normal, seeded). */
  gradOutputs?: readonly Tensor[];
  /** Seed of the random `gradOutputs` (default 0). */
  seed?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly (Tensor | null)[];

function outputsOf(r: Tensor | readonly (Tensor | null)[], who: string): (Tensor | null)[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r)) return [...r];
  throw new TypeError(`${who}: the function must return a tensor or an array of tensors`);
}

function isDiff(t: Tensor | null): t is Tensor {
  return t !== null && (t.dtype === 'float64' || t.dtype === 'float32');
}

/** Row-major multi-index of flat position `k` in `shape`, as `[i,j,...]`. */
function indexOf(k: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return `[${idx.join(',')}]`;
}

/**
 * Compares the gradients autograd computes for `fn` with central finite differences, element by
 * element of the full Jacobian (every output element against every input element). Inputs that
 * require grad are checked and must be float64. On a mismatch it throws (or returns false) naming
 * the worst element: output and input numbers, multi-indices, analytic and numerical values.
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions('gradcheck', opts, {
    eps: 'number',
    atol: 'number',
    rtol: 'number',
    raiseException: 'boolean',
  });
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const checked: number[] = [];
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`gradcheck: inputs[${i}] is not a tensor`);
    if (!requiresGrad(t)) return;
    if (t.dtype !== 'float64') {
      throw new TypeError(`gradcheck: inputs[${i}] is ${t.dtype}; use float64 inputs for finite differences`);
    }
    checked.push(i);
  });
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad');

  // Analytic Jacobian: one backward per output element.
  const outs = enableGrad(() => outputsOf(fn(...inputs), 'gradcheck'));
  const analytic: Float64Array[][] = []; // [output][input] → row-major [outNumel, inNumel]
  outs.forEach((o, oi) => {
    analytic[oi] = checked.map((i) => new Float64Array((o === null ? 0 : o.numel()) * inputs[i]!.numel()));
    if (!isDiff(o) || !requiresGrad(o)) return;
    const n = o.numel();
    for (let j = 0; j < n; j++) {
      const onehot = new Float64Array(n);
      onehot[j] = 1;
      const v = tensor(onehot, { dtype: o.dtype, device: o.device }).reshape(o.shape);
      const gs = autogradGrad(
        o,
        checked.map((i) => inputs[i]!),
        v,
        { retainGraph: true, allowUnused: true },
      );
      gs.forEach((g, k) => {
        if (g === null) return;
        if (g.dtype !== 'float64')
          throw new TypeError(`gradcheck: gradient of inputs[${checked[k]}] is ${g.dtype}, expected float64`);
        const d = g.dataSync();
        analytic[oi]![k]!.set(d, j * d.length);
      });
    }
  });

  // Numerical Jacobian: central differences, one input element at a time.
  const evalAt = (i: number, flat: Float64Array): Float64Array[] => {
    const orig = inputs[i]!;
    const x = tensor(flat, { dtype: 'float64', device: orig.device }).reshape(orig.shape);
    const args = inputs.map((t, k) => (k === i ? x : t));
    return noGrad(() => outputsOf(fn(...args), 'gradcheck')).map((o) =>
      isDiff(o) ? Float64Array.from(o.dataSync()) : new Float64Array(0),
    );
  };
  let worst: { excess: number; msg: string } | null = null;
  checked.forEach((i, k) => {
    const base = Float64Array.from(noGrad(() => inputs[i]!.contiguous()).dataSync());
    for (let e = 0; e < base.length; e++) {
      const plus = base.slice();
      plus[e] = base[e]! + eps;
      const minus = base.slice();
      minus[e] = base[e]! - eps;
      const fp = evalAt(i, plus);
      const fm = evalAt(i, minus);
      outs.forEach((o, oi) => {
        if (!isDiff(o)) return;
        const n = o.numel();
        const inN = base.length;
        for (let j = 0; j < n; j++) {
          const num = (fp[oi]![j]! - fm[oi]![j]!) / (2 * eps);
          const ana = analytic[oi]![k]![j * inN + e]!;
          const diff = Math.abs(ana - num);
          const tol = atol + rtol * Math.abs(num);
          const bad = !(diff <= tol) && !(Number.isNaN(ana) && Number.isNaN(num));
          if (bad) {
            const excess = Number.isFinite(diff) ? diff / tol : Number.POSITIVE_INFINITY;
            if (worst === null || excess > worst.excess) {
              worst = {
                excess,
                msg:
                  `gradcheck: Jacobian mismatch for output ${oi} (shape ${fmt(o.shape)}) with respect to inputs[${i}] ` +
                  `(shape ${fmt(inputs[i]!.shape)}): worst at output index ${indexOf(j, o.shape)}, input index ` +
                  `${indexOf(e, inputs[i]!.shape)}: analytic ${ana} vs numerical ${num} ` +
                  `(|difference| ${diff} > atol + rtol * |numerical| = ${tol})`,
              };
            }
          }
        }
      });
    }
  });
  if (worst !== null) {
    if (opts.raiseException === false) return false;
    throw new Error((worst as { msg: string }).msg);
  }
  return true;
}

/**
 * Checks second derivatives: the gradients of `fn` (weighted by `gradOutputs`, random by
 * default) are themselves checked with `gradcheck`, with respect to the inputs and to the
 * weights. Inputs that require grad must be float64.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradgradcheckOptions = {}): boolean {
  checkOptions('gradgradcheck', opts, {
    eps: 'number',
    atol: 'number',
    rtol: 'number',
    raiseException: 'boolean',
    gradOutputs: 'array',
    seed: 'integer',
  });
  const outs = enableGrad(() => outputsOf(fn(...inputs), 'gradgradcheck'));
  const diffOuts = outs.filter(isDiff);
  const gen = new Generator(opts.seed ?? 0);
  const weights =
    opts.gradOutputs !== undefined
      ? opts.gradOutputs.map((g) => g.detach().requiresGrad_(true))
      : diffOuts.map((o) =>
          randn(o.shape, { dtype: 'float64', device: o.device, generator: gen }).requiresGrad_(true),
        );
  if (weights.length !== diffOuts.length) {
    throw new RangeError(
      `gradgradcheck: got ${weights.length} gradOutputs for ${diffOuts.length} differentiable outputs`,
    );
  }
  const nIn = inputs.length;
  const which = inputs.map((t) => requiresGrad(t));
  const firstGrads = (...all: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = all
        .slice(0, nIn)
        .map((t, i) => (which[i] && !requiresGrad(t) ? t.detach().requiresGrad_(true) : t));
      const vs = all.slice(nIn);
      const os = outputsOf(fn(...xs), 'gradgradcheck').filter(isDiff);
      const ins = xs.filter((_, i) => which[i]);
      const pairs = os.map((o, j) => [o, vs[j]!] as const).filter(([o]) => requiresGrad(o));
      if (pairs.length === 0) return ins.map((t) => zeros(t.shape, { dtype: t.dtype, device: t.device }));
      const gs = autogradGrad(
        pairs.map(([o]) => o),
        ins,
        pairs.map(([, v]) => v),
        { createGraph: true, allowUnused: true },
      );
      return gs.map((g, k) => g ?? zeros(ins[k]!.shape, { dtype: ins[k]!.dtype, device: ins[k]!.device }));
    });
  const { eps, atol, rtol, raiseException } = opts;
  return gradcheck(firstGrads, [...inputs, ...weights], { eps, atol, rtol, raiseException });
}
