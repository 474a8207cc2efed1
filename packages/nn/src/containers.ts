import type { Tensor } from '@tessera/tensor';
import { type AnyModule, Module } from './module.js';
import { releaseBetween } from './transient.js';

/**
 * Runs its modules in order, feeding each one's output to the next: a Tensor -> Tensor module
 * made of Tensor -> Tensor modules (wrap a module with other inputs or outputs in one of yours).
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }

  /** Number of modules. */
  get length(): number {
    return [...this.children()].length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const list = [...this];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined)
      throw new RangeError(`Sequential: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends a module. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TypeError('Sequential.append: argument is not a Module');
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  /** Feeds `x` through the modules in order. */
  forward(x: Tensor): Tensor {
    const input = x;
    let prev: Module | null = null;
    for (const m of this) {
      const y = m.call(x);
      releaseBetween(prev, m, x, y, input);
      x = y;
      prev = m;
    }
    return x;
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    // Only Modules (checked on the way in) are registered.
    return this.children() as Iterator<Module>;
  }
}

/**
 * A list of modules registered as submodules (named '0', '1', ...). `M` is the type of its
 * modules, inferred from the constructor (`new ModuleList([new Linear(2, 2)])` holds Linears):
 * `at(i).call(x)` is then typed. Any module by default.
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of modules. */
  get length(): number {
    return [...this.children()].length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): M {
    const list = [...this];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined)
      throw new RangeError(`ModuleList: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends a module under the next index. */
  append(m: M): this {
    if (!(m instanceof Module)) throw new TypeError('ModuleList.append: argument is not a Module');
    (this as unknown as Record<string, AnyModule>)[String(this.length)] = m;
    return this;
  }

  /** Throws: a ModuleList only holds modules; iterate over it instead. */
  forward(): never {
    throw new Error('ModuleList has no forward: iterate over it and call its modules');
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<M> {
    // Only Ms (typed on the way in) are registered.
    return this.children() as Iterator<M>;
  }
}

/**
 * Modules registered under string keys. `M` is the type of its modules, inferred from the
 * constructor; any module by default.
 */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<[], never> {
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  /** Registers `m` under `key` (replacing any module there). */
  set(key: string, m: M): this {
    if (!(m instanceof Module)) throw new TypeError(`ModuleDict.set: '${key}' is not a Module`);
    if (key === 'training') throw new RangeError("ModuleDict: key 'training' is reserved");
    (this as unknown as Record<string, AnyModule>)[key] = m;
    return this;
  }

  /** The module under `key`; throws if there is none. */
  get(key: string): M {
    const m = (this as unknown as Record<string, unknown>)[key];
    if (!(m instanceof Module)) throw new RangeError(`ModuleDict: no module under key '${key}'`);
    return m as M;
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  /** Throws: a ModuleDict only holds modules; look them up by key instead. */
  forward(): never {
    throw new Error('ModuleDict has no forward: look modules up by key');
  }
}

/** Returns its input unchanged; `T` is what it passes through (a Tensor by default). */
export class Identity<T = Tensor> extends Module<[T], T> {
  /** Returns `x`. */
  forward(x: T): T {
    return x;
  }
}
