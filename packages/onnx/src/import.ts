import { Module, Parameter } from '@tessera/nn';
import { isFloating, Tensor } from '@tessera/tensor';
import { type Attrs, IMPORTERS } from './import-ops.js';
import {
  ATTR,
  type AttributeProto,
  type DimProto,
  decodeModel,
  fromTensorProto,
  type GraphProto,
  type NodeProto,
} from './proto.js';

const text = new TextDecoder();

function decodeAttrs(node: NodeProto): Attrs {
  const out: Record<string, number | number[] | string | Tensor> = {};
  for (const a of node.attribute ?? ([] as AttributeProto[])) {
    switch (a.type) {
      case ATTR.FLOAT:
        out[a.name] = a.f ?? 0;
        break;
      case ATTR.INT:
        out[a.name] = a.i ?? 0;
        break;
      case ATTR.STRING:
        out[a.name] = text.decode(a.s ?? new Uint8Array());
        break;
      case ATTR.TENSOR:
        out[a.name] = fromTensorProto(a.t ?? {});
        break;
      case ATTR.FLOATS:
        out[a.name] = a.floats ?? [];
        break;
      case ATTR.INTS:
        out[a.name] = a.ints ?? [];
        break;
      case ATTR.STRINGS:
        // Comma-joined (only RNN activations use a string list).
        out[a.name] = (a.strings ?? []).map((b) => text.decode(b)).join(',');
        break;
      default:
        throw new Error(`importOnnx: ${node.op_type} attribute '${a.name}' has unsupported type ${a.type}`);
    }
  }
  return out;
}

/** Lists every op the importer cannot run, all at once. */
function checkSupported(graph: GraphProto, opset: number): void {
  const bad = new Set<string>();
  for (const n of graph.node ?? []) {
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') bad.add(`${domain}::${n.op_type}`);
    else if (IMPORTERS[n.op_type] === undefined) bad.add(n.op_type);
    else if (n.op_type === 'MaxPool' && (n.output[1] ?? '') !== '') bad.add('MaxPool (with Indices)');
  }
  if (bad.size > 0) {
    throw new Error(`importOnnx: unsupported ONNX op types: ${[...bad].sort().join(', ')}`);
  }
  if (opset < 13) throw new Error(`importOnnx: opset ${opset} is too old (13 or newer is supported)`);
}

/** Checks an input against the graph's declared shape, so a mismatch is reported at the door. */
function checkInput(name: string, dims: DimProto[] | undefined, t: Tensor): void {
  if (dims === undefined) return;
  const want = dims.map((d) => (d.dim_value !== undefined && d.dim_value > 0 ? d.dim_value : null));
  const ok = want.length === t.ndim && want.every((w, i) => w === null || w === t.shape[i]);
  if (!ok) {
    const fmt = dims.map((d) =>
      d.dim_value !== undefined && d.dim_value > 0 ? d.dim_value : (d.dim_param ?? '?'),
    );
    throw new Error(
      `OnnxModule: input '${name}' has shape [${t.shape}], the graph expects [${fmt.join(', ')}]`,
    );
  }
}

/** Turns an initializer name into a Module attribute name (letters, digits and `_`). */
function attributeName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (base === '' || /^[0-9]/.test(base)) base = `p_${base}`;
  let out = base;
  for (let i = 1; taken.has(out); i++) out = `${base}_${i}`;
  taken.add(out);
  return out;
}

/**
 * A Module that runs an ONNX graph eagerly with Tessera ops. Floating-point initializers are
 * Parameters (named after the initializer, non-identifier characters as `_`), so the model can be
 * trained; other initializers (shapes, indices) are constants.
 */
export class OnnxModule extends Module<Tensor[], Tensor | Tensor[]> {
  readonly #nodes: readonly NodeProto[];
  readonly #attrs: readonly Attrs[];
  readonly #constants = new Map<string, Tensor>();
  /** Initializer name -> attribute holding its Parameter (looked up per call: `to()` replaces them). */
  readonly #params = new Map<string, string>();
  readonly #inputs: readonly string[];
  readonly #outputs: readonly string[];
  /** Declared input dims (a size, or a symbolic dim as null); undefined where the file gives no shape. */
  readonly #inputDims: readonly (DimProto[] | undefined)[];

  constructor(graph: GraphProto, opset: number) {
    super();
    checkSupported(graph, opset);
    this.#nodes = graph.node ?? [];
    this.#attrs = this.#nodes.map(decodeAttrs);
    const taken = new Set(Object.keys(this));
    const init = new Set<string>();
    for (const tp of graph.initializer ?? []) {
      const name = tp.name ?? '';
      init.add(name);
      const t = fromTensorProto(tp);
      if (isFloating(t.dtype)) {
        const attr = attributeName(name, taken);
        this.registerParameter(attr, new Parameter(t));
        this.#params.set(name, attr);
      } else this.#constants.set(name, t);
    }
    const inputs = (graph.input ?? []).filter((v) => !init.has(v.name));
    this.#inputs = inputs.map((v) => v.name);
    this.#inputDims = inputs.map((v) => v.type?.tensor_type?.shape?.dim);
    this.#outputs = (graph.output ?? []).map((v) => v.name);
  }

  /** Graph input names, in the order `forward` takes them. */
  get inputNames(): readonly string[] {
    return this.#inputs;
  }

  /** Graph output names, in the order `forward` returns them. */
  get outputNames(): readonly string[] {
    return this.#outputs;
  }

  /** Runs the graph: one tensor per graph input; returns the output, or an array if there are several. */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.#inputs.length || inputs.some((t) => !(t instanceof Tensor))) {
      throw new Error(
        `OnnxModule: expected ${this.#inputs.length} input tensors (${this.#inputs.join(', ')}), got ${inputs.length}`,
      );
    }
    inputs.forEach((t, i) => {
      checkInput(this.#inputs[i]!, this.#inputDims[i], t);
    });
    const env = new Map<string, Tensor>(this.#constants);
    const own = this as unknown as Record<string, Tensor>;
    for (const [name, attr] of this.#params) env.set(name, own[attr]!);
    this.#inputs.forEach((n, i) => {
      env.set(n, inputs[i]!);
    });
    this.#nodes.forEach((node, k) => {
      const ins = node.input.map((n) => {
        if (n === '') return undefined;
        const t = env.get(n);
        if (t === undefined)
          throw new Error(`importOnnx: ${node.op_type} input '${n}' is not computed before it`);
        return t;
      });
      const out = IMPORTERS[node.op_type]!(ins, this.#attrs[k]!, node.op_type);
      const outs = Array.isArray(out) ? out : [out];
      node.output.forEach((n, i) => {
        if (n !== '' && outs[i] !== undefined) env.set(n, outs[i]!);
      });
    });
    const results = this.#outputs.map((n) => {
      const t = env.get(n);
      if (t === undefined) throw new Error(`importOnnx: graph output '${n}' is never computed`);
      return t;
    });
    return results.length === 1 ? results[0]! : results;
  }
}

/**
 * Builds a Module from ONNX model bytes. It runs the graph eagerly on Tessera tensors (CPU or any
 * backend the inputs live on), with floating-point initializers as trainable Parameters. A graph
 * with op types this package cannot run raises one error listing all of them.
 */
export function importOnnx(bytes: Uint8Array): OnnxModule {
  const model = decodeModel(bytes);
  if (model.graph === undefined) throw new Error('importOnnx: the model has no graph');
  const opset = (model.opset_import ?? []).find(
    (o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx',
  )?.version;
  return new OnnxModule(model.graph, opset ?? 1);
}
