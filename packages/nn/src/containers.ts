import { Module } from './module.js';
import { releaseBetween } from './transient.js';

/** Runs its modules in order, feeding each one's output to the next. */
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
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined)
      throw new RangeError(`Sequential: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends a module. */
  append(m: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  /** Feeds `x` through the modules in order. */
  forward(x: any): any {
    const input = x;
    let prev: Module | null = null;
    for (const m of this.children()) {
      const y = m.call(x);
      releaseBetween(prev, m, x, y, input);
      x = y;
      prev = m;
    }
    return x;
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** A list of modules registered as submodules (named '0', '1', ...). */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of modules. */
  get length(): number {
    return [...this.children()].length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined)
      throw new RangeError(`ModuleList: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends a module under the next index. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TypeError('ModuleList.append: argument is not a Module');
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  /** Throws: a ModuleList only holds modules; iterate over it instead. */
  forward(): never {
    throw new Error('ModuleList has no forward: iterate over it and call its modules');
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** Modules registered under string keys. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  /** Registers `m` under `key` (replacing any module there). */
  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`ModuleDict.set: '${key}' is not a Module`);
    if (key === 'training') throw new RangeError("ModuleDict: key 'training' is reserved");
    (this as unknown as Record<string, Module>)[key] = m;
    return this;
  }

  /** The module under `key`; throws if there is none. */
  get(key: string): Module {
    const m = (this as unknown as Record<string, unknown>)[key];
    if (!(m instanceof Module)) throw new RangeError(`ModuleDict: no module under key '${key}'`);
    return m;
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

/** Returns its input unchanged. */
export class Identity extends Module {
  forward<T>(x: T): T {
    return x;
  }
}
