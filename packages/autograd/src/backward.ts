import { checkOptions, onesLike, Tensor } from '@tessera/tensor';
import { runEngine } from './engine.js';
import { metaOf } from './meta.js';
import { fmt, sameShape } from './util.js';

/** Options of `backward`. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward computation, so gradients can be differentiated again (default false). */
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad` (default: every leaf that requires grad). */
  inputs?: Tensor | readonly Tensor[];
}

/** Options of `autogradGrad`. */
export interface AutogradGradOptions {
  /** Keep the graph's saved tensors (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward computation, so the returned gradients are differentiable (default false). */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
}

/** Checks roots and makes their starting gradients (ones for one-element roots). */
export function rootGrads(
  caller: string,
  roots: readonly Tensor[],
  grads: readonly (Tensor | null | undefined)[] | undefined,
): Tensor[] {
  if (grads !== undefined && grads.length !== roots.length) {
    throw new RangeError(`${caller}: got ${grads.length} gradients for ${roots.length} tensors`);
  }
  return roots.map((t, i) => {
    const m = metaOf(t);
    const which =
      roots.length > 1 ? `tensor ${i} (shape ${fmt(t.shape)})` : `tensor of shape ${fmt(t.shape)}`;
    if (m === undefined || !m.requiresGrad) {
      throw new Error(
        `${caller}: ${which} does not require grad and has no gradFn; create the inputs with ` +
          '{ requiresGrad: true } (or call requiresGrad_()), and do not compute it under noGrad()',
      );
    }
    const g = grads?.[i];
    if (g === null || g === undefined) {
      if (t.numel() !== 1) {
        throw new Error(
          `${caller}: gradient can be implicitly created only for scalar outputs, but got a ${which}; ` +
            'pass a gradient tensor of the same shape',
        );
      }
      return onesLike(t);
    }
    if (!(g instanceof Tensor)) {
      throw new TypeError(
        `${caller}: gradient must be a tensor, got ${Array.isArray(g) ? 'an array' : typeof g}`,
      );
    }
    if (!sameShape(g.shape, t.shape)) {
      throw new RangeError(`${caller}: gradient of shape ${fmt(g.shape)} does not match the ${which}`);
    }
    if (g.device !== t.device) {
      throw new Error(`${caller}: gradient is on ${g.device} but the ${which} is on ${t.device}`);
    }
    return g.dtype === t.dtype ? g : g.cast(t.dtype);
  });
}

function asList(x: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
}

/** The caller's gradient argument as a list; undefined when omitted. */
function gradList(
  grads: Tensor | readonly (Tensor | null | undefined)[] | null | undefined,
): readonly (Tensor | null | undefined)[] | undefined {
  if (grads === null || grads === undefined) return undefined;
  return Array.isArray(grads) ? grads : [grads as Tensor];
}

/**
 * Computes the gradients of `tensors` with respect to the graph leaves and accumulates them into
 * each leaf's `.grad` (PyTorch's `torch.autograd.backward`). `gradients` may be omitted for
 * one-element tensors.
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradients?: Tensor | readonly (Tensor | null | undefined)[] | null,
  opts: BackwardOptions = {},
): void {
  checkOptions('backward', opts, { retainGraph: 'boolean', createGraph: 'boolean', inputs: 'tensor|array' });
  const roots = asList(tensors);
  const rg = rootGrads('backward', roots, gradList(gradients));
  const createGraph = opts.createGraph ?? false;
  const inputs = opts.inputs === undefined ? undefined : asList(opts.inputs);
  if (inputs !== undefined && inputs.length === 0)
    throw new RangeError("backward: 'inputs' must not be empty");
  runEngine(roots, rg, {
    retainGraph: opts.retainGraph ?? createGraph,
    createGraph,
    inputs,
    capture: false,
    caller: 'backward',
  });
}

/**
 * The gradients of `outputs` with respect to `inputs` (PyTorch's `torch.autograd.grad`), returned
 * instead of accumulated: no `.grad` is touched. `gradOutputs` weight the outputs (may be omitted
 * for one-element outputs). With `createGraph`, the results can be differentiated again.
 */
export function autogradGrad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[] | null,
  opts: AutogradGradOptions = {},
): (Tensor | null)[] {
  checkOptions('autogradGrad', opts, {
    retainGraph: 'boolean',
    createGraph: 'boolean',
    allowUnused: 'boolean',
  });
  const roots = asList(outputs);
  const ins = asList(inputs);
  if (ins.length === 0) throw new RangeError("autogradGrad: 'inputs' must not be empty");
  const rg = rootGrads('autogradGrad', roots, gradList(gradOutputs));
  const createGraph = opts.createGraph ?? false;
  const res = runEngine(roots, rg, {
    retainGraph: opts.retainGraph ?? createGraph,
    createGraph,
    inputs: ins,
    capture: true,
    caller: 'autogradGrad',
  });
  if (!opts.allowUnused) {
    const k = res.indexOf(null);
    if (k >= 0) {
      throw new Error(
        `autogradGrad: inputs[${k}] (shape ${fmt(ins[k]!.shape)}) was not used to compute the outputs; ` +
          'pass { allowUnused: true } to get null for it',
      );
    }
  }
  return res;
}
