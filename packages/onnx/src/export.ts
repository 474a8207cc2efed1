import { noGrad } from '@tessera/autograd';
import type { Module } from '@tessera/nn';
import {
  type DType,
  defaultGenerator,
  getOpObserver,
  isScalarAttrs,
  type OpCall,
  type OpObserver,
  setOpObserver,
  Tensor,
  tensor,
} from '@tessera/tensor';
import { type AttrValue, type EmitContext, makeNode } from './emit.js';
import { EMITTERS } from './export-ops.js';
import { verifyDynamic } from './export-verify.js';
import {
  type DimProto,
  encodeModel,
  int64Proto,
  type NodeProto,
  onnxType,
  type TensorProto,
  toTensorProto,
  type ValueInfoProto,
} from './proto.js';

/**
 * Any module, whatever its forward takes and returns (structural, so multi-input modules fit):
 * what `exportOnnx` needs to trace it.
 */
export type ExportableModule = Pick<Module, 'namedModules' | 'namedParameters' | 'namedBuffers'> & {
  call(...inputs: never[]): unknown;
};

/** Options of `exportOnnx` (PyTorch's `torch.onnx.export` names, in camelCase). */
export interface ExportOnnxOptions {
  /** ONNX opset version (default 17; 13 to 21 accepted). */
  opset?: number;
  /** Graph input names (default `input`, `input_1`, ...). */
  inputNames?: readonly string[];
  /** Graph output names (default `output`, `output_1`, ...). */
  outputNames?: readonly string[];
  /**
   * Dims of inputs/outputs left symbolic, by value name: a list of dims (named `<name>_dim<d>`) or
   * a map dim -> symbolic name, as PyTorch's `dynamic_axes`.
   */
  dynamicAxes?: Readonly<Record<string, readonly number[] | Readonly<Record<number, string>>>>;
}

const IR_VERSION: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

/** Records the ops of one forward pass as ONNX nodes. */
class Tracer implements OpObserver {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly names = new Map<Tensor, string>();
  /** Outputs with no ONNX counterpart (e.g. maxPool2d's indices), by the op that made them. */
  readonly unexportable = new Map<Tensor, string>();
  readonly path: string[] = [];
  private depth = 0;
  private randomOffset = defaultGenerator.getState().offset;
  private counter = 0;
  private used = new Set<string>();
  private readonly scalars = new Map<string, string>();
  readonly ctx: EmitContext;

  constructor(
    private readonly prev: OpObserver | null,
    private readonly constants: Map<Tensor, string>,
    opset: number,
  ) {
    this.ctx = {
      opset,
      fresh: (hint) => this.fresh(hint),
      int64: (values, scalar = false) => {
        const name = this.fresh('const');
        const p = int64Proto(name, values);
        this.initializers.push(scalar ? { ...p, dims: [] } : p);
        return name;
      },
      scalar: (value, dtype) => {
        // One initializer per distinct scalar, however many decompositions use it.
        const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
        let name = this.scalars.get(key);
        if (name === undefined) {
          name = this.constant(tensor([value], { dtype }).reshape([]));
          this.scalars.set(key, name);
        }
        return name;
      },
      node: (op, inputs, outputs, attrs?: Record<string, AttrValue>) => {
        this.nodes.push(makeNode(this.fresh(op), op, inputs, outputs, attrs));
        return outputs[0]!;
      },
    };
  }

  fresh(hint: string): string {
    let name = `${hint}_${this.counter++}`;
    while (this.used.has(name)) name = `${hint}_${this.counter++}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  where(): string {
    const p = this.path[this.path.length - 1];
    return p === undefined ? '' : ` (in module '${p === '' ? '<root>' : p}')`;
  }

  /** A leaf tensor (weight, buffer or constant) as an initializer, added once. */
  constant(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const name = this.constants.get(t) ?? this.fresh('const');
    if (t.device !== 'cpu') {
      throw new Error(
        `exportOnnx: '${name}' is on ${t.device}; weights are read synchronously, so move the model and inputs to the CPU first`,
      );
    }
    this.reserve(name);
    this.initializers.push(toTensorProto(name, t));
    this.names.set(t, name);
    return name;
  }

  /** Random draws between recorded ops would be frozen into the file as constants: refuse them. */
  checkRandom(op: string): void {
    const offset = defaultGenerator.getState().offset;
    if (offset !== this.randomOffset) {
      throw new Error(
        `exportOnnx: random numbers are drawn before op '${op}'${this.where()}; the file would hold one fixed draw`,
      );
    }
  }

  nameOf(t: Tensor, op: string): string {
    const bad = this.unexportable.get(t);
    if (bad !== undefined)
      throw new Error(`exportOnnx: ${op} uses the ${bad}, which ONNX cannot express${this.where()}`);
    return this.names.get(t) ?? this.constant(t);
  }

  /**
   * The value names of a call's inputs. A binary op with a JS-number operand (attrs `scalar`,
   * `scalarFirst`) gets it as a scalar initializer of its input's dtype, on its side, as a 0-d
   * tensor operand would have been.
   */
  private inputNames(call: OpCall): string[] {
    const names = call.inputs.map((t) => this.nameOf(t, call.name));
    const a = call.attrs;
    if (!isScalarAttrs(a) || call.inputs.length !== 1) return names;
    const s = this.ctx.scalar(a.scalar, call.inputs[0]!.dtype);
    return a.scalarFirst === 1 ? [s, names[0]!] : [names[0]!, s];
  }

  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T {
    // Ops run inside another op are part of it: only the outermost call becomes ONNX nodes.
    if (this.depth > 0) return compute();
    const emit = EMITTERS[call.name];
    if (emit === undefined) {
      throw new Error(`exportOnnx: op '${call.name}' has no ONNX export${this.where()}`);
    }
    // Values derived from an unexportable one are unexportable too; only using one in the graph's
    // outputs is an error (maxPool1d squeezes the indices it then drops).
    const tainted = call.inputs.map((t) => this.unexportable.get(t)).find((r) => r !== undefined);
    this.checkRandom(call.name);
    const names = tainted === undefined ? this.inputNames(call) : [];
    this.depth++;
    let out: T;
    try {
      out = this.prev === null ? compute() : this.prev.run(call, compute);
    } finally {
      this.depth--;
      this.randomOffset = defaultGenerator.getState().offset;
    }
    const outputs = out instanceof Tensor ? [out] : [...(out as readonly Tensor[])];
    if (tainted !== undefined) {
      for (const t of outputs) this.unexportable.set(t, tainted);
      return out;
    }
    const outNames = outputs.map(() => this.fresh(call.name));
    outputs.forEach((t, i) => {
      this.names.set(t, outNames[i]!);
    });
    if (call.name === 'maxPool2d' && outputs[1] !== undefined)
      this.unexportable.set(outputs[1], 'maxPool2d indices');
    emit(this.ctx, { name: call.name, inputs: call.inputs, names, attrs: call.attrs, outputs, outNames });
    return out;
  }
}

/** The forward's result as a flat list of tensors (nested arrays flattened in order, as PyTorch does). */
function flattenOutputs(result: unknown): Tensor[] {
  const out: Tensor[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else throw new Error('exportOnnx: the forward pass must return Tensors (possibly in nested arrays)');
  };
  walk(result);
  return out;
}

function dimsOf(
  name: string,
  shape: readonly number[],
  dynamic: ExportOnnxOptions['dynamicAxes'],
): DimProto[] {
  const spec = dynamic?.[name];
  const named = new Map<number, string>();
  if (Array.isArray(spec)) for (const d of spec) named.set(d, `${name}_dim${d}`);
  else if (spec !== undefined) for (const [d, n] of Object.entries(spec)) named.set(Number(d), n as string);
  for (const d of named.keys()) {
    if (!Number.isInteger(d) || d < 0 || d >= shape.length)
      throw new Error(
        `exportOnnx: dynamicAxes['${name}'] names dim ${d}, but the value has shape [${shape}]`,
      );
  }
  return shape.map((s, d) => (named.has(d) ? { dim_param: named.get(d)! } : { dim_value: s }));
}

function valueInfo(
  name: string,
  dtype: DType,
  shape: readonly number[],
  opts: ExportOnnxOptions,
): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: { elem_type: onnxType(dtype), shape: { dim: dimsOf(name, shape, opts.dynamicAxes) } },
    },
  };
}

function defaultNames(given: readonly string[] | undefined, n: number, base: string, what: string): string[] {
  if (given !== undefined && given.length !== n)
    throw new Error(`exportOnnx: ${what} has ${given.length} names for ${n} values`);
  const names = given ? [...given] : Array.from({ length: n }, (_, i) => (i === 0 ? base : `${base}_${i}`));
  if (new Set(names).size !== names.length) throw new Error(`exportOnnx: ${what} repeats a name: [${names}]`);
  return names;
}

function checkOptions(opts: ExportOnnxOptions): number {
  for (const k of Object.keys(opts)) {
    if (!['opset', 'inputNames', 'outputNames', 'dynamicAxes'].includes(k))
      throw new Error(
        `exportOnnx: unknown option '${k}' (expected opset, inputNames, outputNames, dynamicAxes)`,
      );
  }
  const opset = opts.opset ?? 17;
  if (!Number.isInteger(opset) || IR_VERSION[opset] === undefined)
    throw new Error(`exportOnnx: opset ${opset} is not supported (13 to 21)`);
  return opset;
}

/** Runs the traced forward pass with module-path hooks on every submodule. */
function traceForward(model: ExportableModule, inputs: readonly Tensor[], tracer: Tracer): unknown {
  const handles: { remove(): void }[] = [];
  for (const [path, m] of model.namedModules()) {
    handles.push(m.registerForwardPreHook(() => void tracer.path.push(path)));
    handles.push(m.registerForwardHook(() => void tracer.path.pop()));
  }
  const prev = setOpObserver(tracer);
  try {
    const callable = model as unknown as { call(...xs: Tensor[]): unknown };
    return noGrad(() => callable.call(...inputs));
  } finally {
    setOpObserver(prev);
    for (const h of handles) h.remove();
  }
}

/**
 * Exports a module to ONNX by tracing one forward pass on `exampleInputs`: returns the model file's
 * bytes, with parameters and buffers as named initializers. Shapes are those of the example (dims
 * named in `dynamicAxes` are left symbolic). The trace runs in eval mode (dropout off, batch norm
 * on running statistics), as `torch.onnx.export` by default; each module's mode is restored. An op
 * with no ONNX form, or random numbers drawn in the forward, raise an error naming the op and module.
 */
export function exportOnnx(
  model: ExportableModule,
  exampleInputs: Tensor | readonly Tensor[],
  opts: ExportOnnxOptions = {},
): Uint8Array {
  const opset = checkOptions(opts);
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`exportOnnx: example input ${i} is not a Tensor`);
  });
  const constants = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) constants.set(p, name);
  for (const [name, b] of model.namedBuffers()) if (!constants.has(b)) constants.set(b, name);
  const tracer = new Tracer(getOpObserver(), constants, opset);
  const inNames = defaultNames(opts.inputNames, inputs.length, 'input', 'inputNames');
  for (const n of [...constants.values(), ...inNames]) tracer.reserve(n);
  inputs.forEach((t, i) => {
    tracer.names.set(t, inNames[i]!);
  });
  // Traced (and checked) in eval mode, as torch.onnx.export does by default; each module's flag is restored.
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  for (const [m] of modes) m.training = false;
  try {
    const result = traceForward(model, inputs, tracer);
    const outTensors = flattenOutputs(result);
    const outNames = defaultNames(opts.outputNames, outTensors.length, 'output', 'outputNames');
    outTensors.forEach((t, i) => {
      tracer.ctx.node('Identity', [tracer.nameOf(t, 'output')], [outNames[i]!]);
    });
    const bytes = encodeModel({
      ir_version: IR_VERSION[opset],
      producer_name: 'tessera',
      opset_import: [{ domain: '', version: opset }],
      graph: {
        name: (model as object).constructor.name,
        node: tracer.nodes,
        initializer: tracer.initializers,
        input: inputs.map((t, i) => valueInfo(inNames[i]!, t.dtype, t.shape, opts)),
        output: outTensors.map((t, i) => valueInfo(outNames[i]!, t.dtype, t.shape, opts)),
      },
    });
    verifyDynamic(
      model as unknown as { call(...xs: Tensor[]): unknown },
      inputs,
      inNames,
      opts.dynamicAxes,
      bytes,
    );
    return bytes;
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}
