import { checkOptions, reshape, stack, Tensor, tensor, zeros, zerosLike } from '@tessera/tensor';
import { autogradGrad } from './backward.js';
import { vjp } from './functional.js';
import { requiresGrad } from './meta.js';
import { enableGrad } from './mode.js';
import { fmt, isFloatDType } from './util.js';

// torch.autograd.functional: jacobian, hessian, jvp, hvp, vhp. Built on autogradGrad: jacobian
// takes one backward pass per output element; jvp uses the double-backward trick (the gradient
// is linear in the output weights u, so differentiating it with respect to u gives J·v); hvp
// differentiates (∇f)·v. With `createGraph` the results stay differentiable.

/** Options of the functions here (PyTorch's `create_graph`). */
export interface FunctionalOptions {
  /** Keep the results differentiable (for higher derivatives). Default false. */
  createGraph?: boolean;
}

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

function createGraphOf(op: string, opts: FunctionalOptions): boolean {
  return checkOptions(op, opts, { createGraph: 'boolean' }).createGraph ?? false;
}

/** The inputs as a list of floating-point tensors (made graph leaves), and whether it was one tensor. */
function leaves(op: string, inputs: Tensor | readonly Tensor[], createGraph: boolean): [Tensor[], boolean] {
  const single = inputs instanceof Tensor;
  const list = single ? [inputs] : Array.isArray(inputs) ? [...inputs] : null;
  if (list === null || list.length === 0)
    throw new TypeError(`${op}: inputs must be a tensor or a non-empty array of tensors`);
  return [
    list.map((t, i) => {
      if (!(t instanceof Tensor) || !isFloatDType(t.dtype)) {
        throw new TypeError(`${op}: inputs[${i}] must be a floating-point tensor`);
      }
      // Under createGraph, inputs already in a graph are used as they are, so an enclosing
      // differentiation sees through.
      return createGraph && requiresGrad(t) ? t : t.detach().requiresGrad_(true);
    }),
    single,
  ];
}

/** Runs f and returns its outputs as a list, and whether it returned one tensor. */
function call(op: string, f: Fn, xs: Tensor[]): [Tensor[], boolean] {
  const out = enableGrad(() => f(...xs));
  const single = out instanceof Tensor;
  const list = single ? [out] : Array.isArray(out) ? out : null;
  if (list === null || !list.every((o) => o instanceof Tensor)) {
    throw new TypeError(`${op}: the function must return a tensor or an array of tensors`);
  }
  return [list, single];
}

/** Gradients of `outs` (weighted by `weights`) for each input; zeros where unused. */
function gradsOf(
  outs: Tensor[],
  xs: Tensor[],
  weights: (Tensor | null)[] | null,
  createGraph: boolean,
): Tensor[] {
  const roots: Tensor[] = [];
  const ws: (Tensor | null)[] = [];
  outs.forEach((o, i) => {
    if (!requiresGrad(o)) return;
    roots.push(o);
    ws.push(weights === null ? null : weights[i]!);
  });
  if (roots.length === 0) return xs.map((x) => zerosLike(x));
  const gs = autogradGrad(roots, xs, weights === null ? null : ws, {
    createGraph,
    retainGraph: true,
    allowUnused: true,
  });
  return gs.map((g, i) => g ?? zerosLike(xs[i]!));
}

const finish = (t: Tensor, createGraph: boolean): Tensor => (createGraph ? t : t.detach());

/**
 * The Jacobian of `f` at `inputs` (PyTorch's `autograd.functional.jacobian`): for output `o` and
 * input `x`, a tensor of shape [...o.shape, ...x.shape]. One input and one output give a tensor;
 * several inputs (or outputs) give an array over them; several of both give `[output][input]`.
 */
export function jacobian(f: (x: Tensor) => Tensor, inputs: Tensor, opts?: FunctionalOptions): Tensor;
export function jacobian(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts?: FunctionalOptions,
): Tensor[];
export function jacobian(f: (x: Tensor) => Tensor[], inputs: Tensor, opts?: FunctionalOptions): Tensor[];
export function jacobian(
  f: (...xs: Tensor[]) => Tensor[],
  inputs: readonly Tensor[],
  opts?: FunctionalOptions,
): Tensor[][];
export function jacobian(
  f: Fn,
  inputs: Tensor | readonly Tensor[],
  opts?: FunctionalOptions,
): Tensor | Tensor[] | Tensor[][];
export function jacobian(
  f: Fn,
  inputs: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): Tensor | Tensor[] | Tensor[][] {
  const createGraph = createGraphOf('jacobian', opts);
  const [xs, singleIn] = leaves('jacobian', inputs, createGraph);
  const [outs, singleOut] = call('jacobian', f, xs);
  const table = outs.map((o) => {
    const n = o.numel();
    const rows: Tensor[][] = xs.map(() => []);
    for (let i = 0; i < n; i++) {
      const gs = gradsOf([o], xs, [basis(o, i)], createGraph);
      for (let k = 0; k < xs.length; k++) rows[k]!.push(gs[k]!);
    }
    return xs.map((x, k) => {
      const j = n === 0 ? zeros([0, ...x.shape], { dtype: x.dtype, device: x.device }) : stack(rows[k]!);
      return finish(reshape(j, [...o.shape, ...x.shape]), createGraph);
    });
  });
  if (singleOut) return singleIn ? table[0]![0]! : table[0]!;
  return singleIn ? table.map((r) => r[0]!) : table;
}

/** A tensor like `o` with a 1 at flat position `i` and zeros elsewhere. */
function basis(o: Tensor, i: number): Tensor {
  const data = new Float64Array(o.numel());
  data[i] = 1;
  return tensor(data, { dtype: o.dtype, device: o.device, shape: o.shape });
}

/** Throws unless `out` has one element (hessian and hvp differentiate a scalar function). */
function checkScalar(op: string, out: Tensor[], single: boolean): Tensor {
  if (!single || out[0]!.numel() !== 1) {
    const what = single ? `a tensor of shape ${fmt(out[0]!.shape)}` : 'an array of tensors';
    throw new RangeError(`${op}: the function must return a one-element tensor, got ${what}`);
  }
  return out[0]!;
}

/**
 * The Hessian of the scalar function `f` at `inputs` (PyTorch's `autograd.functional.hessian`):
 * shape [...x.shape, ...x.shape] for one input; `[i][j]` of shape [...xi.shape, ...xj.shape] for
 * several.
 */
export function hessian(f: (x: Tensor) => Tensor, inputs: Tensor, opts?: FunctionalOptions): Tensor;
export function hessian(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts?: FunctionalOptions,
): Tensor[][];
export function hessian(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): Tensor | Tensor[][] {
  const createGraph = createGraphOf('hessian', opts);
  const single = inputs instanceof Tensor;
  const gradient = (...xs: Tensor[]): Tensor[] => {
    const [outs, one] = call('hessian', f, xs);
    return gradsOf([checkScalar('hessian', outs, one)], xs, null, true);
  };
  const h = jacobian(gradient, inputs instanceof Tensor ? [inputs] : inputs, { createGraph }) as Tensor[][];
  return single ? h[0]![0]! : h;
}

function vectors(
  op: string,
  v: Tensor | readonly Tensor[] | undefined,
  like: Tensor[],
  what: string,
): Tensor[] {
  if (v === undefined) {
    if (like.length === 1 && like[0]!.numel() === 1) return [like[0]!.detach().mul(0).add(1)];
    throw new TypeError(`${op}: v can be omitted only when ${what} is a single one-element tensor`);
  }
  const list = v instanceof Tensor ? [v] : [...v];
  if (list.length !== like.length) {
    throw new RangeError(`${op}: v has ${list.length} tensors but ${what} has ${like.length}`);
  }
  list.forEach((t, i) => {
    if (!(t instanceof Tensor) || fmt(t.shape) !== fmt(like[i]!.shape)) {
      const got = t instanceof Tensor ? `shape ${fmt(t.shape)}` : typeof t;
      throw new RangeError(
        `${op}: v[${i}] must have the shape of ${what}[${i}], ${fmt(like[i]!.shape)}; got ${got}`,
      );
    }
  });
  return list;
}

/**
 * The Jacobian-vector product (PyTorch's `autograd.functional.jvp`): returns
 * `[f(inputs), J·v]`, with `v` shaped like the inputs (omit it for one one-element input) and
 * the product shaped like the outputs (a tensor or an array, as f returns).
 */
export function jvp(
  f: Fn,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): [Tensor | Tensor[], Tensor | Tensor[]] {
  const createGraph = createGraphOf('jvp', opts);
  const [xs] = leaves('jvp', inputs, createGraph);
  const vs = vectors('jvp', v, xs, 'inputs');
  const [outs, singleOut] = call('jvp', f, xs);
  // g(u) = Jᵀu is linear in u; differentiating <g(u), v> with respect to u gives J v.
  const us = outs.map((o) => zerosLike(o).requiresGrad_(isFloatDType(o.dtype)));
  const gs = gradsOf(outs, xs, us, true);
  const used = gs.map((g, k) => [g, vs[k]!] as const).filter(([g]) => requiresGrad(g));
  const wrt = us.filter((u) => u.requiresGrad);
  const prods = outs.map((o) => zerosLike(o));
  if (used.length > 0 && wrt.length > 0) {
    const r = autogradGrad(
      used.map(([g]) => g),
      wrt,
      used.map(([, w]) => w),
      { createGraph, allowUnused: true },
    );
    us.forEach((u, i) => {
      const p = u.requiresGrad ? r[wrt.indexOf(u)] : null;
      if (p !== null && p !== undefined) prods[i] = p;
    });
  }
  const out = outs.map((o) => finish(o, createGraph));
  const res = prods.map((p) => finish(p, createGraph));
  return singleOut ? [out[0]!, res[0]!] : [out, res];
}

/**
 * The Hessian-vector product of the scalar function `f` (PyTorch's `autograd.functional.hvp`):
 * returns `[f(inputs), H·v]`, `v` and the product shaped like the inputs.
 */
export function hvp(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('hvp', f, inputs, v, opts);
}

/**
 * The vector-Hessian product vᵀ·H (PyTorch's `autograd.functional.vhp`); equal to `hvp` for
 * functions with a symmetric Hessian (twice continuously differentiable ones).
 */
export function vhp(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('vhp', f, inputs, v, opts);
}

function hessianProduct(
  op: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor | readonly Tensor[],
  v: Tensor | readonly Tensor[] | undefined,
  opts: FunctionalOptions,
): [Tensor, Tensor | Tensor[]] {
  const createGraph = createGraphOf(op, opts);
  const [xs, single] = leaves(op, inputs, createGraph);
  const vs = vectors(op, v, xs, 'inputs');
  const [outs, one] = call(op, f, xs);
  const out = checkScalar(op, outs, one);
  // vᵀH is the gradient of (∇f)·v; it equals Hv for a symmetric Hessian.
  const gs = gradsOf([out], xs, null, true);
  const dot = gs.map((g, k) => g.mul(vs[k]!).sum()).reduce((a, b) => a.add(b));
  const res = gradsOf([dot], xs, null, createGraph).map((r) => finish(r, createGraph));
  return [finish(out, createGraph), single ? res[0]! : res];
}

/** PyTorch's `torch.autograd.functional` namespace: jacobian, hessian, vjp, jvp, hvp, vhp. */
export const functional = { jacobian, hessian, vjp, jvp, hvp, vhp } as const;
