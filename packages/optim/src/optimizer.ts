import { checkOptions, isFloating, Tensor, type TypedArray, unknownOptionError } from '@tessera/tensor';
import { withoutRecording } from './no-grad.js';
import {
  clearGrad,
  describeValue,
  gradOf,
  isModuleLike,
  isParamLike,
  type ParamLike,
  paramValue,
} from './params.js';
import {
  decodeJson,
  decodeNumber,
  deserializeTensor,
  encodeJson,
  encodeNumber,
  isSerializedTensor,
  type SerializedTensor,
  serializeTensor,
} from './serialize.js';

/** Per-parameter state: step counts (numbers) and buffers (tensors shaped like the parameter). */
export type ParamState = Record<string, Tensor | number>;

/**
 * One parameter group: its parameters and its hyperparameters (every option of the optimizer,
 * filled from the defaults). Groups are plain mutable objects, as in PyTorch: schedulers write
 * `group.lr`, and extra keys (`initialLr`, ...) may be added.
 */
export type ParamGroup<O extends object> = O & { params: ParamLike[]; [key: string]: unknown };

/** A parameter group as given to a constructor or `addParamGroup`: options left out take the defaults. */
export type ParamGroupInput<O extends object> = Partial<O> & {
  params: Iterable<ParamLike> | ParamLike;
  [key: string]: unknown;
};

/** What optimizer constructors accept: parameters, or parameter groups with per-group options. */
export type ParamsInput<O extends object> = Iterable<ParamLike> | Iterable<ParamGroupInput<O>>;

/**
 * The JSON-serialisable state of an optimizer (PyTorch's `state_dict()` layout, camelCase).
 * - `state`: per parameter, keyed by its index (counting through the groups in order): numbers
 *   (e.g. `step`) and tensors written as `SerializedTensor` (`{ dtype, shape, data }`).
 * - `paramGroups`: each group's hyperparameters and `params`, the indices of its parameters.
 * Non-finite numbers are written as the strings `'Infinity'`, `'-Infinity'`, `'NaN'`, so
 * `JSON.parse(JSON.stringify(sd))` loads back exactly. `loadStateDict` also accepts tensors in
 * place of serialized ones.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, number | string | SerializedTensor | Tensor>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set gradients to null (default, as PyTorch) instead of filling them with zeros. */
  setToNone?: boolean;
}

function isGroupInput(x: unknown): x is ParamGroupInput<object> {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && 'params' in x;
}

/**
 * Rejects a tensor computed by recorded ops (autograd's `isLeaf` is false): updating it would not
 * change the leaves it was computed from, as PyTorch's "can't optimize a non-leaf Tensor".
 */
function checkLeaf(op: string, v: Tensor, i: number, gi: number): void {
  const meta = v as unknown as { isLeaf?: boolean; gradFn?: { name?: string } | null };
  if (meta.isLeaf !== false) return;
  const by = typeof meta.gradFn?.name === 'string' ? ` (computed by ${meta.gradFn.name})` : '';
  throw new TypeError(
    `${op}: can't optimize a non-leaf tensor: parameter ${i} of group ${gi} of shape [${v.shape.join(', ')}]${by}; pass the leaf tensors it was computed from (model.parameters()), or t.detach().requiresGrad_()`,
  );
}

/**
 * Base class of the optimizers. Holds parameter groups and per-parameter state; `step()` runs the
 * subclass's update on every parameter that has a gradient, in place and without recording.
 * Subclasses implement `validateGroup` (option checks), `updateGroup` (the algorithm) and list
 * their state keys in `stateKeys`.
 */
export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** Class name used in error messages. */
  readonly name: string;
  /** The options a group gets for anything it does not set. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, in order. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update. */
  readonly state = new Map<ParamLike, ParamState>();
  /** Names of the per-parameter state entries this optimizer keeps (checked by `loadStateDict`). */
  protected abstract readonly stateKeys: readonly string[];

  protected constructor(name: string, params: ParamsInput<O>, defaults: O) {
    this.name = name;
    this.defaults = defaults;
    this.validateGroup(defaults);
    if (isModuleLike(params)) {
      throw new TypeError(
        `${name}: got a model (Module), not its parameters; pass model.parameters(), e.g. new ${name}(model.parameters(), { lr: 0.01 })`,
      );
    }
    if (
      params === null ||
      typeof params !== 'object' ||
      params instanceof Tensor ||
      typeof (params as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
    ) {
      throw new TypeError(
        `${name}: params must be an iterable of parameters or of parameter groups, got ${describeValue(params)}`,
      );
    }
    const items: unknown[] = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    if (items.every(isGroupInput)) {
      for (const g of items) this.addParamGroup(g as ParamGroupInput<O>);
    } else if (items.every(isParamLike)) {
      this.addParamGroup({ params: items as ParamLike[] } as unknown as ParamGroupInput<O>);
    } else {
      const i = items.findIndex((x) => (isGroupInput(items[0]) ? !isGroupInput(x) : !isParamLike(x)));
      throw new TypeError(
        `${name}: params[${i}] is ${describeValue(items[i])}; pass either parameters (tensors or { value, grad } records) or parameter groups ({ params, ...options }), not a mix`,
      );
    }
  }

  /** Throws a clear error unless the options of a group are valid. */
  protected abstract validateGroup(options: O): void;

  /** Applies one update to every parameter of `group` that has a gradient. */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning). Options it leaves out take
   * the optimizer's defaults. A parameter may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const op = `${this.name}.addParamGroup`;
    if (!isGroupInput(group))
      throw new TypeError(`${op}: a parameter group must be an object with a 'params' key`);
    const gi = this.paramGroups.length;
    const raw = group.params;
    let params: unknown[];
    if (isParamLike(raw)) params = [raw];
    else if (raw !== null && typeof raw === 'object' && Symbol.iterator in raw)
      params = [...(raw as Iterable<unknown>)];
    else
      throw new TypeError(
        `${op}: 'params' of group ${gi} must be a parameter or an iterable of them, got ${describeValue(raw)}`,
      );
    const seen = new Set<unknown>();
    params.forEach((p, i) => {
      if (!isParamLike(p)) {
        throw new TypeError(
          `${op}: parameter ${i} of group ${gi} must be a tensor or a { value, grad } record, got ${describeValue(p)}`,
        );
      }
      const v = paramValue(p);
      checkLeaf(op, v, i, gi);
      if (!isFloating(v.dtype)) {
        throw new TypeError(
          `${op}: can only optimize floating point tensors, but parameter ${i} of group ${gi} has dtype ${v.dtype}`,
        );
      }
      if (seen.has(p))
        throw new RangeError(`${op}: parameter ${i} of group ${gi} appears twice in the group`);
      seen.add(p);
    });
    for (const [j, other] of this.paramGroups.entries()) {
      for (const p of other.params) {
        if (seen.has(p))
          throw new RangeError(`${op}: some parameters of group ${gi} are already in group ${j}`);
      }
    }
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const [k, v] of Object.entries(group)) {
      if (k !== 'params' && !Object.hasOwn(this.defaults, k)) {
        throw unknownOptionError(`${op}: group ${gi}`, k, ['params', ...Object.keys(this.defaults)]);
      }
      if (k !== 'params' && v !== undefined) merged[k] = v;
    }
    for (const [k, v] of Object.entries(merged)) if (Array.isArray(v)) merged[k] = [...v];
    this.validateGroup(merged as O);
    this.paramGroups.push({ ...merged, params: params as ParamLike[] } as ParamGroup<O>);
  }

  /**
   * Resets the gradients of all parameters: to null (default), or filled with zeros when
   * `setToNone` is false.
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const { setToNone = true } = checkOptions('zeroGrad', opts, { setToNone: 'boolean' });
    withoutRecording(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = gradOf(p);
          if (g === null) continue;
          if (setToNone) clearGrad(p);
          else g.zero_();
        }
      }
    });
  }

  /**
   * Performs one optimisation step. `closure`, if given, re-evaluates the model and returns the
   * loss (it runs first, with recording on, so it can compute gradients); its result is returned.
   * The updates themselves run with the op observer detached (see `withoutRecording`).
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : closure();
    withoutRecording(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /**
   * The parameters of `group` that have a gradient, with their value, gradient and state (an
   * empty object on first use, for the subclass to fill). Checks the gradient matches the value.
   */
  protected *withGrads(group: ParamGroup<O>): Generator<{ value: Tensor; grad: Tensor; state: ParamState }> {
    for (const [i, p] of group.params.entries()) {
      const grad = gradOf(p);
      if (grad === null) continue;
      const value = paramValue(p);
      if (!(grad instanceof Tensor)) {
        throw new TypeError(
          `${this.name}.step: gradient of parameter ${i} is ${describeValue(grad)}, not a tensor`,
        );
      }
      if (grad.shape.length !== value.shape.length || grad.shape.some((d, k) => d !== value.shape[k])) {
        throw new RangeError(
          `${this.name}.step: gradient of parameter ${i} has shape [${grad.shape.join(', ')}] but the parameter has shape [${value.shape.join(', ')}]`,
        );
      }
      if (grad.dtype !== value.dtype) {
        throw new TypeError(
          `${this.name}.step: gradient of parameter ${i} has dtype ${grad.dtype} but the parameter has dtype ${value.dtype}`,
        );
      }
      if (grad.device !== value.device) {
        throw new Error(
          `${this.name}.step: gradient of parameter ${i} is on ${grad.device} but the parameter is on ${value.device}`,
        );
      }
      let state = this.state.get(p);
      if (state === undefined) {
        state = {};
        this.state.set(p, state);
      }
      yield { value, grad, state };
    }
  }

  /** The state as a JSON-serialisable object (see `OptimizerStateDict`); CPU tensors only. */
  stateDict(): OptimizerStateDict {
    return this.buildStateDict((t) => t.dataSync());
  }

  /** Like `stateDict()`, reading state tensors asynchronously, so it works on every backend. */
  async stateDictAsync(): Promise<OptimizerStateDict> {
    const tensors: Tensor[] = [];
    for (const s of this.state.values())
      for (const v of Object.values(s)) if (v instanceof Tensor) tensors.push(v);
    const data = await Promise.all(tensors.map((t) => t.data()));
    const read = new Map(tensors.map((t, i) => [t, data[i]!]));
    return this.buildStateDict((t) => read.get(t)!);
  }

  private buildStateDict(read: (t: Tensor) => TypedArray): OptimizerStateDict {
    const ids = new Map<ParamLike, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = encodeJson(v);
      const params = g.params.map((p) => {
        ids.set(p, next);
        return next++;
      });
      return { ...out, params };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const id = ids.get(p);
      if (id === undefined) continue;
      const entry: Record<string, number | string | SerializedTensor> = {};
      for (const [k, v] of Object.entries(s))
        entry[k] = v instanceof Tensor ? serializeTensor(v, read(v)) : encodeNumber(v);
      state[String(id)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores hyperparameters and state saved by `stateDict()` (possibly after a JSON round trip)
   * into this optimizer, which must have the same group structure. Parameters are matched by
   * position. State tensors are copied onto each parameter's device and (if floating point) dtype.
   * Nothing changes if the state dict is rejected.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (
      stateDict === null ||
      typeof stateDict !== 'object' ||
      !Array.isArray(stateDict.paramGroups) ||
      stateDict.state === null ||
      typeof stateDict.state !== 'object'
    ) {
      throw new TypeError(
        `${op}: expected an object with 'state' and 'paramGroups', got ${describeValue(stateDict)}`,
      );
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(
        `${op}: the state dict has ${saved.length} parameter groups but the optimizer has ${this.paramGroups.length}`,
      );
    }
    const idMap = new Map<number, ParamLike>();
    const newOptions: Record<string, unknown>[] = [];
    saved.forEach((sg, i) => {
      const group = this.paramGroups[i]!;
      if (sg === null || typeof sg !== 'object' || !Array.isArray(sg.params)) {
        throw new TypeError(`${op}: parameter group ${i} of the state dict has no 'params' array`);
      }
      if (sg.params.length !== group.params.length) {
        throw new RangeError(
          `${op}: parameter group ${i} has ${sg.params.length} parameters in the state dict but ${group.params.length} in the optimizer`,
        );
      }
      sg.params.forEach((id, k) => {
        idMap.set(id, group.params[k]!);
      });
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== 'params') options[k] = v;
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') options[k] = decodeJson(v);
      this.validateGroup(options as O);
      newOptions.push(options);
    });
    const newState = new Map<ParamLike, ParamState>();
    try {
      for (const [idStr, entries] of Object.entries(stateDict.state)) {
        const p = idMap.get(Number(idStr));
        if (p === undefined)
          throw new RangeError(`${op}: state for parameter ${idStr}, which is in no parameter group`);
        if (entries === null || typeof entries !== 'object') {
          throw new TypeError(`${op}: state of parameter ${idStr} must be an object`);
        }
        const value = paramValue(p);
        const s: ParamState = {};
        newState.set(p, s);
        for (const [k, v] of Object.entries(entries)) {
          if (!this.stateKeys.includes(k)) {
            throw new RangeError(
              `${op}: unexpected state '${k}' for parameter ${idStr} (${this.name} keeps: ${this.stateKeys.join(', ')})`,
            );
          }
          if (typeof v === 'number' || typeof v === 'string') {
            s[k] = decodeNumber(`${op} (state '${k}' of parameter ${idStr})`, v);
            continue;
          }
          if (!(v instanceof Tensor) && !isSerializedTensor(v)) {
            throw new TypeError(`${op}: state '${k}' of parameter ${idStr} is neither a number nor a tensor`);
          }
          const shape = v.shape;
          if (shape.length !== value.shape.length || shape.some((d, j) => d !== value.shape[j])) {
            throw new RangeError(
              `${op}: state '${k}' of parameter ${idStr} has shape [${shape.join(', ')}] but the parameter has shape [${value.shape.join(', ')}]`,
            );
          }
          s[k] = deserializeTensor(op, v, value);
        }
      }
    } catch (e) {
      disposeState(newState);
      throw e;
    }
    disposeState(this.state);
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    this.paramGroups.forEach((group, i) => {
      const g = group as Record<string, unknown>;
      for (const k of Object.keys(g)) if (k !== 'params') delete g[k];
      Object.assign(g, newOptions[i]);
    });
  }
}

function disposeState(state: Map<ParamLike, ParamState>): void {
  for (const s of state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
}
