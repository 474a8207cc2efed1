import type { BinaryOp, ElementwiseExtension, UnaryAttrs, UnaryOp, UpdateOp, View } from '@tessera/tensor';
import { INDEX_ERRORS } from '../codegen/atomics.js';
import {
  type AddrMode,
  addrMode,
  collapse,
  entry1d,
  grid1d,
  numel,
  stridedLoop,
} from '../codegen/strided.js';
import { convert, storageType, type WgslType } from '../codegen/types.js';
import { DIV_CODE, REM_CODE } from '../errors.js';
import type { GpuBuffer } from '../memory.js';
import { dyn, dynInts, type Field, floats, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Binding, Runtime } from '../runtime.js';
import {
  BINARY,
  BINARY_SCALAR_LEFT,
  BINARY_SCALAR_RIGHT,
  IDENTITY,
  type OpDef,
  UNARY,
  WHERE,
} from './ops.js';
import { describeViews } from './util.js';

/** One input of an elementwise kernel. */
interface Input {
  readonly view: View;
  /** WGSL name the expression uses. */
  readonly name: string;
  /** Convert to the compute type (false: keep the storage type, e.g. where's condition). */
  readonly convert: boolean;
}

/** Scalar attributes an expression may use, by the upper-case name it uses them under. */
export const ATTRS = ['ALPHA', 'BETA', 'THRESHOLD', 'MIN', 'MAX', 'VALUE', 'SCALAR'] as const;
/** One of ATTRS. */
export type AttrName = (typeof ATTRS)[number];
/**
 * Attribute values by the upper-case name expressions use them under: an op's attribute `alpha`
 * is `ALPHA`; extension ops (see `extension`) may use names outside ATTRS.
 */
type Attrs = Readonly<Record<string, number | undefined>>;

/**
 * THE elementwise template, for any arity (0: fill, 1: unary/copy, 2: binary, 3: where): one
 * thread per output element; each operand is addressed from the flat index through its own
 * (collapsed) strides, or directly when it is contiguous or a broadcast scalar. The op is the
 * expression `def` (see ops.ts), specialised into the code; the variant key names the expression,
 * dtypes and addressing modes (not the rank: strided operands walk the dims in a loop), so every
 * variant compiles once.
 *
 * An input that is the output itself, element for element (in-place ops), is read through the
 * output binding: WebGPU forbids binding one buffer as both read-only and writable in a dispatch.
 */
function elementwise(
  rt: Runtime,
  op: string,
  def: OpDef,
  out: View,
  inputs: readonly Input[],
  attrs: Attrs,
  computeOverride?: WgslType,
): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const outT = storageType(out.dtype);
  const valueIn = inputs.find((x) => x.convert);
  const valueT = valueIn ? storageType(valueIn.view.dtype) : outT;
  const C: WgslType = computeOverride ?? (valueT === 'f32' ? 'f32' : def.i !== undefined ? 'i32' : 'f32');
  const expr = C === 'f32' ? def.f : (def.i ?? def.f);
  // Integer division and remainder report a zero divisor `b` (the CPU backend throws for it); a
  // scalar divisor (SCALAR) was checked by the op.
  const zeroCheck =
    C !== 'i32' || !expr.endsWith(', b)')
      ? 0
      : expr.startsWith('idiv(')
        ? DIV_CODE
        : expr.startsWith('imod_py(')
          ? REM_CODE
          : 0;

  const aliased = inputs.map((x) => x.view.buffer === out.buffer && sameMapping(x.view, out));
  const addressed = inputs.filter((_, k) => !aliased[k]);
  const c = collapse(out.shape, [out.strides, ...addressed.map((x) => x.view.strides)]);
  const rank = c.shape.length;
  const modes: AddrMode[] = c.strides.map((s) => addrMode(c.shape, s));

  const fields: Field[] = [
    ints('n', [n, rank]),
    dynInts('shape', c.shape),
    ints('o', out.offset),
    dynInts('os', c.strides[0]!),
  ];
  addressed.forEach((x, k) => {
    fields.push(ints(`x${k}`, x.view.offset), dynInts(`x${k}s`, c.strides[k + 1]!));
  });
  const used = Object.keys(attrs).filter((a) => expr.includes(a));
  for (const a of used) {
    const v = attrs[a] ?? 0;
    fields.push(C === 'f32' ? floats(a, v) : ints(a, C === 'u32' ? v >>> 0 : clampInt(v, a)));
  }
  const params = pack(fields);
  const inTypes = inputs.map((x) => storageType(x.view.dtype));
  const key = [
    'ew',
    expr,
    C,
    outT,
    out.dtype === 'bool' ? 'b' : '',
    def.bool ? 'B' : '',
    inTypes.join(','),
    inputs.map((x) => (x.convert ? 'v' : 'r')).join(''),
    modes.join(''),
    aliased.map((a) => (a ? 'A' : '-')).join(''),
  ].join('|');

  const code = (at: Readonly<Record<string, number>>): string => {
    const e = entry1d();
    // Addresses: strided operands through one runtime loop over the dims, others directly.
    const offs: string[] = [];
    const strides: string[] = [];
    const addrOf = (mode: AddrMode, name: string): string => {
      const f = at[name]!;
      if (mode === 'z') return `pi(${f}u)`;
      if (mode === 'c') return `pi(${f}u) + i32(i)`;
      offs.push(`${f}u`);
      strides.push(dyn(at, `${name}s`));
      return `ad${offs.length - 1}`;
    };
    const lines: string[] = [];
    const outAddr = addrOf(modes[0]!, 'o');
    let slot = 0;
    inputs.forEach((x, k) => {
      const T = inTypes[k]!;
      let load: string;
      if (aliased[k]) load = `O[${outAddr}]`;
      else {
        load = `X${slot}[${addrOf(modes[slot + 1]!, `x${slot}`)}]`;
        slot++;
      }
      const v = x.convert ? convert(load, T, C) : load;
      lines.push(`let ${x.name} = ${v};`);
    });
    const result = def.bool ? `select(0u, 1u, ${expr})` : convert(expr, C, outT, out.dtype === 'bool');
    const resultT: WgslType = def.bool ? 'u32' : outT;
    const store = resultT === outT ? result : convert(result, resultT, outT);
    const decls = addressed
      .map(
        (x, k) =>
          `@group(0) @binding(${k + 2}) var<storage, read> X${k}: array<${storageType(x.view.dtype)}>;`,
      )
      .join('\n');
    const attrLets = used
      .map(
        (a) => `let ${a} = ${C === 'f32' ? `pf(${at[a]}u)` : C === 'i32' ? `pi(${at[a]}u)` : `P[${at[a]}]`};`,
      )
      .join('\n  ');
    return `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${outT}>;
${decls}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${stridedLoop('i', `P[${at.n! + 1}]`, dyn(at, 'shape'), offs, strides)}
  ${attrLets}
  ${lines.join('\n  ')}
  ${zeroCheck > 0 ? `if (b == 0) { reportIndex(${zeroCheck}u, i32(i), 0u, 0u); }` : ''}
  O[${outAddr}] = ${store};
}${zeroCheck > 0 ? `\n${INDEX_ERRORS(addressed.length + 2)}` : ''}`;
  };

  const bindings: Binding[] = [
    { buf: out.buffer as GpuBuffer, write: true },
    ...addressed.map((x) => ({ buf: x.view.buffer as GpuBuffer })),
  ];
  rt.run({
    op,
    key,
    code,
    params,
    bindings,
    grid: grid1d(n),
    describe: () => `${op} ${describeViews(out, ...inputs.map((x) => x.view))}`,
    checksIndices: zeroCheck > 0,
  });
}

/** Whether `x` reads exactly the elements `out` writes, in the same positions. */
function sameMapping(x: View, out: View): boolean {
  if (x.offset !== out.offset) return false;
  for (let d = 0; d < out.shape.length; d++) {
    if (out.shape[d]! > 1 && x.strides[d] !== out.strides[d]) return false;
  }
  return true;
}

/** An int attribute (clamp bounds may be ±Infinity or fractional) as an in-range int32. */
export function clampInt(v: number, name: string): number {
  const r = name === 'MIN' ? Math.ceil(v) : name === 'MAX' ? Math.floor(v) : Math.trunc(v);
  return Math.max(-2147483648, Math.min(2147483647, r)) | 0;
}

/** Sets every element of a contiguous `out` to `value`. */
export function fill(rt: Runtime, out: View, value: number): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const h = out.buffer as GpuBuffer;
  if (n <= 1024 && h.lastBatch !== rt.batchId) {
    // Small fills (scalars!) go through queue.writeBuffer: no dispatch, no bind group.
    const data =
      out.dtype === 'float32'
        ? new Float32Array(n).fill(value)
        : out.dtype === 'int32'
          ? new Int32Array(n).fill(value)
          : new Uint32Array(n).fill(value !== 0 ? 1 : 0);
    rt.write(h, out.offset * 4, data);
    return;
  }
  const T = storageType(out.dtype);
  const v = out.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  elementwise(rt, 'fill', FILL, out, [], { VALUE: v }, T);
}

/** fill as an expression: the scalar attribute VALUE. */
export const FILL: OpDef = { f: 'VALUE', i: 'VALUE' };

/** Strided copy with dtype conversion (casts). */
export function copy(rt: Runtime, out: View, x: View): void {
  elementwise(rt, 'copy', IDENTITY, out, [{ view: x, name: 'x', convert: true }], {}, storageType(x.dtype));
}

/**
 * A unary op's attributes under their expression names. They arrive complete (the op filled in
 * its declaration's defaults, see @tessera/tensor's ops/decl), so none is restated here.
 */
export function unaryAttrs(a: UnaryAttrs): Partial<Record<AttrName, number>> {
  return { ALPHA: a.alpha, BETA: a.beta, THRESHOLD: a.threshold, MIN: a.min, MAX: a.max };
}

/** out = op(x). */
export function unary(rt: Runtime, op: UnaryOp, out: View, x: View, a: UnaryAttrs): void {
  elementwise(rt, op, UNARY[op], out, [{ view: x, name: 'x', convert: true }], unaryAttrs(a));
}

/** An extension op's attributes under the upper-case names its expression uses (`lo` → `LO`). */
function upperAttrs(a: Readonly<Record<string, number>>): Attrs {
  const out: Record<string, number> = {};
  for (const k in a) out[k.toUpperCase()] = a[k]!;
  return out;
}
/**
 * out = op(inputs) for an extension op registered with a WGSL expression (see `registerOp` in
 * @tessera/tensor): the same template as the built-ins, so strides, broadcasting and int/bool
 * inputs work the same way.
 */
export function extension(
  rt: Runtime,
  op: ElementwiseExtension,
  out: View,
  inputs: readonly View[],
  attrs: Readonly<Record<string, number>>,
): void {
  const name = op.decl.name;
  if (op.wgsl === undefined) {
    throw new Error(
      `${name}: the op has no WebGPU kernel (registerOp was given no wgsl expression); move its inputs to the CPU with .to('cpu')`,
    );
  }
  const names = inputs.length === 1 ? ['x'] : ['a', 'b', 'c'];
  elementwise(
    rt,
    name,
    { f: op.wgsl, bool: op.decl.dtype === 'bool' },
    out,
    inputs.map((view, k) => ({ view, name: names[k]!, convert: true })),
    upperAttrs(attrs),
    'f32',
  );
}

/** out = a op b (inputs broadcast to out's shape). */
export function binary(rt: Runtime, op: BinaryOp, out: View, a: View, b: View): void {
  elementwise(
    rt,
    op,
    BINARY[op],
    out,
    [
      { view: a, name: 'a', convert: true },
      { view: b, name: 'b', convert: true },
    ],
    {},
  );
}

/**
 * out = x op s (s op x when `first`): the scalar is the SCALAR attribute, a kernel parameter,
 * rounded to the compute type as a 0-d operand's value would be.
 */
export function binaryScalar(rt: Runtime, op: BinaryOp, out: View, x: View, s: number, first: boolean): void {
  const def = first ? BINARY_SCALAR_LEFT[op] : BINARY_SCALAR_RIGHT[op];
  elementwise(rt, op, def, out, [{ view: x, name: first ? 'b' : 'a', convert: true }], { SCALAR: s });
}

/** out = cond ? a : b. */
export function where(rt: Runtime, out: View, cond: View, a: View, b: View): void {
  const C = storageType(out.dtype);
  elementwise(
    rt,
    'where',
    WHERE,
    out,
    [
      { view: cond, name: 'c', convert: false },
      { view: a, name: 'a', convert: true },
      { view: b, name: 'b', convert: true },
    ],
    {},
    C,
  );
}

/** relu's gradient: g where x > THRESHOLD (or x is NaN), else 0. */
export const THRESHOLD_BACKWARD: OpDef = { f: 'select(g, 0.0, x <= THRESHOLD && !isnan_(x))' };

/** out = x <= threshold ? 0 : g (relu's gradient) in one pass; NaN in x passes g. */
export function thresholdBackward(rt: Runtime, out: View, g: View, x: View, threshold: number): void {
  elementwise(
    rt,
    'thresholdBackward',
    THRESHOLD_BACKWARD,
    out,
    [
      { view: g, name: 'g', convert: true },
      { view: x, name: 'x', convert: true },
    ],
    { THRESHOLD: threshold },
  );
}

/** The fused in-place updates (see UpdateOp): `o` is out itself, read through the output binding. */
const UPDATE: Readonly<Record<Exclude<UpdateOp, 'lerp'> | 'lerpLow' | 'lerpHigh', string>> = {
  axpy: 'o + ALPHA * b',
  addcmul: 'o + (ALPHA * b) * c',
  addcdiv: 'o + (ALPHA * b) / c',
  // PyTorch's two-sided lerp: |w| < 0.5 ? o + (b - o) w : b - (b - o)(1 - w), with 1 - w in BETA.
  lerpLow: 'o + (b - o) * ALPHA',
  lerpHigh: 'b - (b - o) * BETA',
};

/** The expression of update `op` with scalar `s` (lerp picks its side by |s|). */
export function updateExpr(op: UpdateOp, s: number): string {
  return op === 'lerp' ? UPDATE[Math.abs(s) < 0.5 ? 'lerpLow' : 'lerpHigh'] : UPDATE[op];
}

/** out <- update(out, b, c, s) elementwise, one dispatch (the optimizers' inner loops). */
export function update(rt: Runtime, op: UpdateOp, out: View, b: View, c: View | null, s: number): void {
  const expr = updateExpr(op, s);
  const inputs: Input[] = [
    { view: out, name: 'o', convert: true },
    { view: b, name: 'b', convert: true },
  ];
  if (c !== null && (op === 'addcmul' || op === 'addcdiv'))
    inputs.push({ view: c, name: 'c', convert: true });
  elementwise(rt, op, { f: expr }, out, inputs, { ALPHA: s, BETA: 1 - s });
}
