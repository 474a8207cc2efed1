import { noGrad } from '@tessera/autograd';
import {
  checkOptions,
  DTYPES,
  isFloating as isFloatDType,
  sameShape,
  Tensor,
  toAsync,
} from '@tessera/tensor';
import { Parameter } from './parameter.js';

/**
 * Any module, whatever its forward takes and returns: the type for code that only walks
 * parameters, buffers or submodules (optimizers, checkpoints, summaries). Its `call` takes
 * `unknown` inputs and returns `unknown`.
 */
export type AnyModule = Module<unknown[], unknown>;

/** A hook called after a module's forward: may return a replacement output. */
export type ForwardHook = (module: AnyModule, inputs: unknown[], output: unknown) => unknown;

/** A hook called before a module's forward: may return replacement inputs (an array, or one value). */
export type ForwardPreHook = (module: AnyModule, inputs: unknown[]) => unknown;

/** What `loadStateDict` found when not strict. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const BUFFERS = Symbol('buffers');
const HOOKS = Symbol('forwardHooks');
const PRE_HOOKS = Symbol('forwardPreHooks');

/**
 * Base class of every layer and model. Submodules and parameters are registered by assignment
 * (`this.fc = new Linear(2, 3)`; a `Parameter` field): they are discovered from the instance's
 * own properties in assignment order, as PyTorch orders them. Buffers (running statistics) are
 * registered with `registerBuffer`. Subclasses implement `forward`; callers use `call` (runs
 * forward hooks) or `forward` directly.
 *
 * `In` is the tuple of forward's arguments and `Out` its result, so `model.call(x)` is typed:
 * the default, `Module` alone, is a Tensor -> Tensor module; a two-input module extends
 * `Module<[Tensor, Tensor]>`, an RNN `Module<[Tensor, Tensor?], [Tensor, Tensor]>`. Code that
 * accepts any module takes `AnyModule`.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  declare [BUFFERS]: Map<string, boolean>;
  declare [HOOKS]: Set<ForwardHook>;
  declare [PRE_HOOKS]: Set<ForwardPreHook>;

  constructor() {
    // Non-enumerable bookkeeping, so it never shows up as a submodule or parameter.
    Object.defineProperty(this, BUFFERS, { value: new Map<string, boolean>(), enumerable: false });
    Object.defineProperty(this, HOOKS, { value: new Set<ForwardHook>(), enumerable: false });
    Object.defineProperty(this, PRE_HOOKS, { value: new Set<ForwardPreHook>(), enumerable: false });
  }

  /** The computation. */
  abstract forward(...inputs: In): Out;

  /**
   * Runs the forward pre-hooks (which may replace the inputs), `forward`, and then the forward
   * hooks (which may replace the output): PyTorch's `module(x)`.
   */
  call(...inputs: In): Out {
    // Hooks may replace inputs and output with values of their choosing (as in PyTorch).
    for (const h of this[PRE_HOOKS]) {
      const r = h(this, inputs);
      if (r !== undefined) inputs = (Array.isArray(r) ? r : [r]) as In;
    }
    let out = this.forward(...inputs);
    for (const h of this[HOOKS]) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r as Out;
    }
    return out;
  }

  /** @internal Whether any forward or forward pre-hook is registered on this module. */
  hasForwardHooks(): boolean {
    return this[HOOKS].size > 0 || this[PRE_HOOKS].size > 0;
  }

  /** Registers a hook run after every `call`; returns a handle to remove it. */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    this[HOOKS].add(hook);
    return { remove: () => this[HOOKS].delete(hook) };
  }

  /** Registers a hook run before every `call`'s forward; returns a handle to remove it. */
  registerForwardPreHook(hook: ForwardPreHook): { remove(): void } {
    this[PRE_HOOKS].add(hook);
    return { remove: () => this[PRE_HOOKS].delete(hook) };
  }

  /**
   * Registers a tensor that is state but not a parameter (e.g. running mean). Persistent buffers
   * appear in `stateDict()`. The tensor is stored as `this[name]`.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`registerBuffer: buffer '${name}' must be a tensor or null`);
    }
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this[BUFFERS].set(name, persistent);
  }

  /** Registers a parameter under `name` (same as assigning a Parameter to `this[name]`). */
  registerParameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`registerParameter: '${name}' must be a Parameter or null`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Direct submodules with their attribute names. */
  *namedChildren(): Generator<[string, AnyModule]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) yield [k, v];
  }

  /** Direct submodules. */
  *children(): Generator<AnyModule> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all descendants (pre-order), with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, AnyModule]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** This module and all descendants. */
  *modules(): Generator<AnyModule> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names: own first, then each child's, in assignment order. */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [name, m] of recurse
      ? this.namedModules(prefix)
      : ([[prefix, this]] as [string, AnyModule][])) {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          yield [name ? `${name}.${k}` : k, v];
        }
      }
    }
  }

  /** All parameters (each once, even if shared). */
  parameters(recurse = true): Parameter[] {
    return [...this.namedParameters('', recurse)].map(([, p]) => p);
  }

  /** Buffers with dotted names. */
  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    for (const [name, m] of recurse
      ? this.namedModules(prefix)
      : ([[prefix, this]] as [string, AnyModule][])) {
      for (const k of m[BUFFERS].keys()) {
        const t = (m as unknown as Record<string, unknown>)[k];
        if (t instanceof Tensor) yield [name ? `${name}.${k}` : k, t];
      }
    }
  }

  /** All buffers. */
  buffers(recurse = true): Tensor[] {
    return [...this.namedBuffers('', recurse)].map(([, b]) => b);
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters (to null, or to zeros when setToNone is false). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else if (p.grad !== null) noGrad(() => p.grad!.zero_());
    }
  }

  /** Calls `fn` on every descendant and then on this module (PyTorch's order). */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Sets requiresGrad on every parameter (freeze with false). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Moves parameters and buffers to a device, or casts floating ones to a dtype. Parameters are
   * replaced by new Parameter objects: build the optimizer after calling `to`.
   */
  to(target: string): this {
    const isDType = (DTYPES as readonly string[]).includes(target);
    for (const m of this.modules()) {
      const rec = m as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter) {
          if (isDType && !isFloatDType(v.dtype)) continue;
          const moved = noGrad(() => asyncHint(() => v.detach().to(target)));
          if (moved.dtype !== v.dtype || moved.device !== v.device)
            rec[k] = new Parameter(moved, v.requiresGrad);
        }
      }
      for (const k of m[BUFFERS].keys()) {
        const b = rec[k];
        if (b instanceof Tensor && !(isDType && !isFloatDType(b.dtype)))
          rec[k] = noGrad(() => asyncHint(() => b.to(target)));
      }
    }
    return this;
  }

  /**
   * `to` for any pair of devices: moves parameters and buffers, reading them back asynchronously
   * where the source needs it (WebGPU → CPU), so a model trained on the GPU can come back. A dtype
   * target casts as `to` does. Parameters are replaced by new Parameter objects: build the
   * optimizer after calling it.
   */
  async toAsync(target: string): Promise<this> {
    if ((DTYPES as readonly string[]).includes(target)) return this.to(target);
    for (const m of this.modules()) {
      const rec = m as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(m)) {
        if (!(v instanceof Parameter)) continue;
        if (v.device === target) continue;
        // Detached, so the copy records no graph (noGrad cannot span an await).
        rec[k] = new Parameter(await toAsync(v.detach(), target), v.requiresGrad);
      }
      for (const k of m[BUFFERS].keys()) {
        const b = rec[k];
        if (b instanceof Tensor && b.device !== target) rec[k] = await toAsync(b.detach(), target);
      }
    }
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name (`0.weight`, `bn.running_mean`): the
   * tensors themselves (not copies), in registration order.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, m] of this.namedModules()) {
      const rec = m as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter) out[name ? `${name}.${k}` : k] = v;
      }
      for (const [k, persistent] of m[BUFFERS]) {
        const b = rec[k];
        if (persistent && b instanceof Tensor) out[name ? `${name}.${k}` : k] = b;
      }
    }
    return out;
  }

  /**
   * `stateDict()` with every tensor on the CPU, read back asynchronously from other devices
   * (PyTorch's `{k: v.cpu() for k, v in state_dict().items()}`): tensors already on the CPU are
   * the module's own, others are copies. Works on every backend; use it to save a GPU model.
   */
  async stateDictAsync(): Promise<Record<string, Tensor>> {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(this.stateDict()))
      out[k] = t.device === 'cpu' ? t : await toAsync(t.detach(), 'cpu');
    return out;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers (in place).
   * Strict mode (default) throws listing missing, unexpected and mis-shaped keys; non-strict
   * loads what matches and reports the rest (shape mismatches always throw).
   */
  loadStateDict(dict: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    checkOptions('loadStateDict', opts, { strict: 'boolean' });
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !(k in own));
    const misShaped = Object.keys(own)
      .filter((k) => k in dict && !sameShape(own[k]!.shape, dict[k]!.shape))
      .map((k) => `${k}: expected [${own[k]!.shape.join(',')}], got [${dict[k]!.shape.join(',')}]`);
    if (misShaped.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      if (misShaped.length) parts.push(`mis-shaped keys: ${misShaped.join('; ')}`);
      throw new Error(`loadStateDict: ${parts.join('; ')}`);
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        const src = dict[k];
        if (src === undefined) continue;
        t.copy_(src.device === t.device ? src : src.to(t.device));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text shown in this module's line of `toString()` (e.g. sizes). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style nested description of the module tree. */
  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}

/**
 * A deep copy of a module (PyTorch's `copy.deepcopy(module)`): new parameters, buffers and
 * submodules holding copies of the values (a parameter shared inside the module stays shared in
 * the copy); hooks, buffer registrations and other fields are carried over.
 */
export function deepCopy<M extends AnyModule>(module: M): M {
  return copyWith(module, new Map()) as M;
}

function copyWith(m: AnyModule, memo: Map<object, unknown>): AnyModule {
  const seen = memo.get(m);
  if (seen !== undefined) return seen as AnyModule;
  const copy = Object.create(Object.getPrototypeOf(m)) as AnyModule;
  memo.set(m, copy);
  Object.defineProperty(copy, BUFFERS, { value: new Map(m[BUFFERS]), enumerable: false });
  Object.defineProperty(copy, HOOKS, { value: new Set(m[HOOKS]), enumerable: false });
  Object.defineProperty(copy, PRE_HOOKS, { value: new Set(m[PRE_HOOKS]), enumerable: false });
  const rec = copy as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) {
    const known = v !== null && typeof v === 'object' ? memo.get(v) : undefined;
    if (known !== undefined) rec[k] = known;
    else if (v instanceof Parameter) {
      const p = new Parameter(
        noGrad(() => v.detach().clone()),
        v.requiresGrad,
      );
      memo.set(v, p);
      rec[k] = p;
    } else if (v instanceof Module) rec[k] = copyWith(v, memo);
    else if (v instanceof Tensor) {
      const t = noGrad(() => v.detach().clone());
      memo.set(v, t);
      rec[k] = t;
    } else if (Array.isArray(v)) rec[k] = [...v];
    else rec[k] = v;
  }
  return copy;
}

/** Runs a move, pointing at `Module.toAsync` when the source device needs an async readback. */
function asyncHint(move: () => Tensor): Tensor {
  try {
    return move();
  } catch (e) {
    const m = /^to: moving from (\S+) to (\S+) needs a readback/.exec((e as Error).message);
    if (m === null) throw e;
    throw new Error(
      `Module.to: moving from ${m[1]} to ${m[2]} needs a readback; use await model.toAsync('${m[2]}')`,
    );
  }
}
