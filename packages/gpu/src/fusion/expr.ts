import type { DType, View } from '@tessera/tensor';
import { type AddrMode, addrMode, collapse } from '../codegen/strided.js';
import { storageType, type WgslType } from '../codegen/types.js';
import { ATTRS, type AttrName, clampInt } from '../kernels/elementwise.js';
import type { OpDef } from '../kernels/ops.js';
import type { GpuBuffer } from '../memory.js';
import type { Epilogue } from './codegen.js';

/**
 * The pending expressions of elementwise fusion. An expression is a tree (a DAG when a subtree is
 * shared) evaluated at every flat index `i` of its output: op nodes over leaves, where a leaf is a
 * strided view of a materialised buffer with its own (collapsed) shape and strides, so a leaf
 * reached through a reshape of a pending result is still addressed correctly. Nodes are immutable
 * and never hold values (scalar attributes live in the params); the code is generated from the
 * structure alone (see codegen.ts).
 */

/** A buffer read at every output index through its own strided addressing. */
export interface Leaf {
  readonly kind: 'leaf';
  readonly buf: GpuBuffer;
  readonly dtype: DType;
  readonly offset: number;
  /** Collapsed shape and strides (their product of sizes is the expression's element count). */
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly mode: AddrMode;
  /** Identity of the read (buffer aside): equal reads of one buffer share a binding. */
  readonly sig: string;
}

/** One elementwise op applied to its arguments (already nodes). */
export interface OpNode {
  readonly kind: 'op';
  /** Op name, for messages. */
  readonly op: string;
  /** The op's WGSL expression over its parameter names, in compute type `C`. */
  readonly expr: string;
  readonly C: WgslType;
  /** Output dtype. */
  readonly dtype: DType;
  /** The expression is a WGSL bool (output bool). */
  readonly bool: boolean;
  /** Parameter names (as the expression uses them) and whether each is converted to `C`. */
  readonly params: readonly { readonly name: string; readonly convert: boolean }[];
  readonly args: readonly ExprNode[];
  /** Attributes the expression uses, with their values in `C`'s representation. */
  readonly attrs: readonly { readonly name: AttrName; readonly value: number }[];
  /** Nodes in this subtree (shared subtrees counted once per use: a bound, not an exact count). */
  readonly size: number;
}

/**
 * The pending result of a non-elementwise kernel (a matmul, a reduction): its value at flat index
 * i is element i of the result. The kernel computes it and then applies the rest of the tree as
 * its epilogue (codegen.ts). Its cost is more than O(elements), so it is computed at most once:
 * the first kernel that computes it also stores it into `home` (a second output), after which
 * every tree still holding the node reads `stored` instead (see `resolve`).
 */
export interface ProducerNode {
  readonly kind: 'producer';
  /** Op name, for messages. */
  readonly op: string;
  readonly dtype: DType;
  /** What the kernel reads (a write to any of them must run it first). */
  readonly reads: readonly Leaf[];
  /** Storage bindings the kernel takes besides the params and the output. */
  readonly bindings: number;
  /** Runs the kernel into `out` (a whole buffer), applying `epi` to each result element if given. */
  readonly run: (out: GpuBuffer, epi: Epilogue | null) => void;
  /** The whole contiguous buffer that receives the result when it is computed, if it may still. */
  home: GpuBuffer | null;
  /** The result once computed: a contiguous leaf of `home`, read instead of computing it again. */
  stored: Leaf | null;
}

export type ExprNode = Leaf | OpNode | ProducerNode;

/**
 * `root` with every producer already computed replaced by the leaf of its stored result (the
 * same object when there is none), so that code and bookkeeping see a buffer read.
 */
export function resolve(root: ExprNode): ExprNode {
  const memo = new Map<ExprNode, ExprNode>();
  const visit = (n: ExprNode): ExprNode => {
    if (n.kind === 'leaf') return n;
    if (n.kind === 'producer') return n.stored ?? n;
    const known = memo.get(n);
    if (known !== undefined) return known;
    const args = n.args.map(visit);
    const r = args.every((a, k) => a === n.args[k]) ? n : { ...n, args };
    memo.set(n, r);
    return r;
  };
  return visit(root);
}

/** The contiguous leaf reading all `n` elements of `buf` as `dtype` (a producer's stored result). */
export function wholeLeaf(buf: GpuBuffer, dtype: DType, n: number): Leaf {
  return leafOf({ buffer: buf, dtype, shape: [n], strides: [1], offset: 0 });
}

/** A leaf for `view`, whose shape has `n` elements (the expression's count). */
export function leafOf(view: View): Leaf {
  const c = collapse(view.shape, [view.strides]);
  const strides = c.strides[0]!;
  const mode = addrMode(c.shape, strides);
  const sig = `${view.dtype}@${view.offset}:${c.shape.join(',')}/${strides.join(',')}`;
  return {
    kind: 'leaf',
    buf: view.buffer as GpuBuffer,
    dtype: view.dtype,
    offset: view.offset,
    shape: c.shape,
    strides,
    mode,
    sig,
  };
}

/** One argument of an op being built: its node and dtype, and the parameter name it binds. */
export interface Arg {
  readonly node: ExprNode;
  readonly dtype: DType;
  readonly name: string;
  readonly convert: boolean;
}

/**
 * The op node for `def` over `args` producing `dtype`, with the compute type chosen exactly as the
 * eager elementwise kernel chooses it (elementwise.ts), or null when the op must run eagerly:
 * integer division and remainder check their divisor through the error buffer, which names the
 * user-level op current when the dispatch is recorded.
 */
export function opNode(
  op: string,
  def: OpDef,
  dtype: DType,
  args: readonly Arg[],
  attrs: Partial<Record<AttrName, number>>,
  computeOverride?: WgslType,
): OpNode | null {
  const outT = storageType(dtype);
  const valueIn = args.find((a) => a.convert);
  const valueT = valueIn ? storageType(valueIn.dtype) : outT;
  const C: WgslType = computeOverride ?? (valueT === 'f32' ? 'f32' : def.i !== undefined ? 'i32' : 'f32');
  const expr = C === 'f32' ? def.f : (def.i ?? def.f);
  if (C === 'i32' && (expr.startsWith('idiv(') || expr.startsWith('imod_py('))) return null;
  const used = ATTRS.filter((a) => expr.includes(a)).map((name) => {
    const v = attrs[name] ?? 0;
    return { name, value: C === 'f32' ? v : C === 'u32' ? v >>> 0 : clampInt(v, name) };
  });
  let size = 1;
  for (const a of args) size += a.node.kind === 'op' ? a.node.size : 1;
  return {
    kind: 'op',
    op,
    expr,
    C,
    dtype,
    bool: def.bool === true,
    params: args.map((a) => ({ name: a.name, convert: a.convert })),
    args: args.map((a) => a.node),
    attrs: used,
    size,
  };
}

/**
 * Distinct leaves of a tree, in first-use order (equal reads of one buffer once); with `reads`,
 * the reads of its producers too (what the expression reads, for tracking writes).
 */
export function leavesOf(root: ExprNode, reads = false): Leaf[] {
  const seen = new Set<ExprNode>();
  const byKey = new Map<GpuBuffer, Set<string>>();
  const out: Leaf[] = [];
  const add = (n: Leaf): void => {
    let sigs = byKey.get(n.buf);
    if (sigs === undefined) byKey.set(n.buf, (sigs = new Set()));
    if (sigs.has(n.sig)) return;
    sigs.add(n.sig);
    out.push(n);
  };
  const visit = (n: ExprNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'op') for (const a of n.args) visit(a);
    else if (n.kind === 'leaf') add(n);
    else if (reads) for (const l of n.reads) add(l);
  };
  visit(root);
  return out;
}

/** The producer nodes of a tree (each once). */
export function producersOf(root: ExprNode): ProducerNode[] {
  const seen = new Set<ExprNode>();
  const out: ProducerNode[] = [];
  const visit = (n: ExprNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'op') for (const a of n.args) visit(a);
    else if (n.kind === 'producer') out.push(n);
  };
  visit(root);
  return out;
}

/** Names of the ops of a tree, leaves first (for messages: `fused(add, relu)`). */
export function opNames(root: ExprNode): string[] {
  const names: string[] = [];
  const seen = new Set<ExprNode>();
  const visit = (n: ExprNode): void => {
    if (n.kind === 'leaf' || seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'producer') {
      names.push(n.op);
      return;
    }
    for (const a of n.args) visit(a);
    names.push(n.op);
  };
  visit(root);
  return names;
}
