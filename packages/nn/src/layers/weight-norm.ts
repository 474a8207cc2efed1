import { noGrad } from '@tessera/autograd';
import type { Tensor } from '@tessera/tensor';
import { fmt } from '../functional/util.js';
import type { AnyModule } from '../module.js';
import { Parameter } from '../parameter.js';

/** Handles of the installed reparametrisations, for their removal: module → name → remove(). */
const HANDLES = new WeakMap<object, Map<string, Handle>>();

/** A reparametrisation's removal handle and the settings it was installed with. */
interface Handle {
  kind: string;
  remove(): void;
  dim: number | null;
}

/** @internal Records a reparametrisation's hook handle on a module under the parameter's name. */
export function recordHandle(module: object, name: string, handle: Handle): void {
  let m = HANDLES.get(module);
  if (m === undefined) HANDLES.set(module, (m = new Map()));
  m.set(name, handle);
}

/** @internal Takes (and forgets) the handle of a reparametrisation of `name`, or throws. */
export function takeHandle(op: string, module: object, name: string, kind: string): Handle {
  const h = HANDLES.get(module)?.get(name);
  if (h === undefined || h.kind !== kind)
    throw new RangeError(`${op}: ${kind} of '${name}' not found in the module`);
  h.remove();
  HANDLES.get(module)!.delete(name);
  return h;
}

/** @internal The module's attributes, for reading and replacing parameters by name. */
export function attrs(module: AnyModule): Record<string, unknown> {
  return module as unknown as Record<string, unknown>;
}

/** The 2-norm of v over every dim except `dim` (kept, size 1), or over all dims when dim is null. */
function normExceptDim(v: Tensor, dim: number | null): Tensor {
  if (dim === null) return v.square().sum().sqrt();
  const others = v.shape.map((_, i) => i).filter((i) => i !== dim);
  return others.length === 0 ? v.abs() : v.square().sum(others, true).sqrt();
}

/** weight = g * v / ||v|| (norm over every dim but `dim`). */
function computeWeight(module: AnyModule, name: string, dim: number | null): Tensor {
  const a = attrs(module);
  const g = a[`${name}_g`] as Tensor;
  const v = a[`${name}_v`] as Tensor;
  return v.mul(g.div(normExceptDim(v, dim)));
}

/**
 * Weight normalisation (PyTorch's torch.nn.utils.weight_norm, Salimans & Kingma 2016): replaces
 * the parameter `name` (default 'weight') of `module` by a magnitude `${name}_g` (the norm of
 * each slice along `dim`; dim null: one norm of the whole tensor) and a direction `${name}_v`,
 * and recomputes `module[name] = g * v / ||v||` before every `call`. State-dict keys are
 * PyTorch's (weight_g, weight_v, after the module's other parameters). Returns the module.
 */
export function weightNorm<M extends AnyModule>(module: M, name = 'weight', dim: number | null = 0): M {
  const op = 'weightNorm';
  const a = attrs(module);
  const w = a[name];
  if (a[`${name}_g`] !== undefined)
    throw new RangeError(`${op}: '${name}' already has a weight norm (${name}_g exists)`);
  if (!(w instanceof Parameter)) throw new TypeError(`${op}: module has no parameter '${name}'`);
  let d = dim;
  if (d !== null) {
    if (!Number.isInteger(d) || d < -w.ndim || d >= Math.max(w.ndim, 1))
      throw new RangeError(
        `${op}: dim ${JSON.stringify(dim)} is out of range for '${name}' of shape ${fmt(w.shape)}`,
      );
    if (d < 0) d += w.ndim;
  }
  delete a[name];
  a[`${name}_g`] = new Parameter(noGrad(() => normExceptDim(w, d)).detach());
  a[`${name}_v`] = new Parameter(w.detach());
  a[name] = noGrad(() => computeWeight(module, name, d));
  const h = module.registerForwardPreHook((m) => {
    attrs(m)[name] = computeWeight(m, name, d);
  });
  recordHandle(module, name, { kind: 'weightNorm', remove: () => h.remove(), dim: d });
  return module;
}

/**
 * Undoes weightNorm (PyTorch's remove_weight_norm): `name` becomes one parameter again, holding
 * g * v / ||v||, and the hook and the _g / _v parameters are removed. Returns the module.
 */
export function removeWeightNorm<M extends AnyModule>(module: M, name = 'weight'): M {
  const { dim } = takeHandle('removeWeightNorm', module, name, 'weightNorm');
  const a = attrs(module);
  const w = noGrad(() => computeWeight(module, name, dim));
  delete a[`${name}_g`];
  delete a[`${name}_v`];
  delete a[name];
  a[name] = new Parameter(w.detach().contiguous());
  return module;
}
