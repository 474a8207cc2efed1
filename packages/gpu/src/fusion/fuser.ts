import type { DType, ReduceOp, View } from '@tessera/tensor';
import { addrMode, collapse, numel } from '../codegen/strided.js';
import type { WgslType } from '../codegen/types.js';
import { type AttrName, fill } from '../kernels/elementwise.js';
import { gemm } from '../kernels/gemm.js';
import { planMatmul } from '../kernels/matmul.js';
import type { OpDef } from '../kernels/ops.js';
import { type InputSource, reduce, reducesInOnePass } from '../kernels/reduce.js';
import type { GpuBuffer } from '../memory.js';
import type { Runtime } from '../runtime.js';
import { epilogue, fusedDispatch, gemmOut, inputSource } from './codegen.js';
import {
  type Arg,
  type ExprNode,
  type Leaf,
  leafOf,
  leavesOf,
  opNode,
  type ProducerNode,
  producersOf,
  resolve,
  wholeLeaf,
} from './expr.js';

/** What a buffer holds while its elementwise result is pending: the expression for all its elements. */
export interface Pending {
  readonly root: ExprNode;
  /** Elements (the whole buffer). */
  readonly n: number;
  readonly dtype: DType;
  /** Distinct leaves (reads of the buffer itself included). */
  readonly leaves: readonly Leaf[];
  /**
   * Home buffers of the producers it computes (its own buffer aside): it is one of their readers,
   * since it reads the stored result once another kernel has computed it.
   */
  readonly homes: readonly GpuBuffer[];
  /** The same value at every element (every leaf a broadcast scalar, or none): any view may inline it. */
  readonly uniform: boolean;
  /** Id of the command batch being recorded when it was made (see `build`: older ones are not inlined). */
  readonly batch: number;
}

/** One input of an elementwise op handed to the fuser. */
export interface FuseInput {
  readonly view: View;
  /** The parameter name the op's expression uses. */
  readonly name: string;
  /** Converted to the compute type (false: read as stored, e.g. where's condition). */
  readonly convert: boolean;
}

/** Expression nodes a fused kernel holds at most (beyond, inputs are materialised first). */
export const MAX_FUSED_NODES = 48;

/**
 * Eager elementwise fusion. An elementwise op whose output is a whole fresh buffer does not
 * dispatch: the buffer records a pending expression (`GpuBuffer.pending`), and an op reading a
 * pending buffer element for element inlines its expression instead of reading it. The first use
 * that needs the values (any kernel binding the buffer, a read, a copy, a write, an input view
 * that is not element for element, an expression past its size or binding limit) materialises it
 * with ONE generated kernel for the whole tree (codegen.ts).
 *
 * Invariants that keep results exact:
 * - a leaf (a buffer an expression reads) is never pending: pending inputs are inlined or
 *   materialised before they become leaves;
 * - every pending expression is listed in its leaves' `readers`, and any write to a leaf (a
 *   kernel, a buffer write or copy, a lazy op on it, its release) first materialises its readers,
 *   so they see the values they were built on;
 * - an expression may read its own output buffer only at the thread's own element (in-place ops
 *   such as the optimizers' updates), through the output binding, before storing it.
 */
export class Fuser {
  /** Off: every op dispatches at once (debug mode, or `initWebGPU({ fusion: false })`). */
  enabled: boolean;
  /** Pending expressions materialised so far (kernels run by fusion; for tests and stats). */
  materialised = 0;

  constructor(
    private readonly rt: Runtime,
    enabled: boolean,
    /** Distinct buffers an expression reads at most (the storage bindings left for leaves). */
    readonly maxLeaves: number,
    readonly maxNodes = MAX_FUSED_NODES,
  ) {
    this.enabled = enabled;
  }

  /**
   * Records `out = def(inputs)` as a pending expression when `out` is a whole buffer (contiguous,
   * offset 0, every element); returns false when the caller must run the eager kernel instead
   * (a partial or strided output, an input read across elements of `out` itself, or an op that
   * checks its values through the error buffer).
   */
  lazy(
    op: string,
    def: OpDef,
    out: View,
    inputs: readonly FuseInput[],
    attrs: Partial<Record<AttrName, number>>,
    computeOverride?: WgslType,
  ): boolean {
    if (!this.enabled) return false;
    const ob = out.buffer as GpuBuffer;
    const n = numel(out.shape);
    if (n === 0 || n !== ob.size || !wholeBuffer(out)) return false;
    let root = this.build(op, def, out, inputs, attrs, computeOverride, true);
    if (root === null) return false;
    if (!this.fits(root, out.dtype, ob)) {
      root = this.build(op, def, out, inputs, attrs, computeOverride, false);
      if (root === null) return false;
    }
    // The output buffer may be read only at each thread's own element (before it is stored), and
    // not at all by a matmul computed in the same kernel.
    for (const l of leavesOf(root)) {
      if (l.buf === ob && !(l.offset === 0 && l.dtype === out.dtype && (l.mode === 'c' || n === 1)))
        return false;
    }
    if (producersOf(root).some((g) => g.reads.some((l) => l.buf === ob))) return false;
    this.setPending(ob, root, n, out.dtype);
    return true;
  }

  /**
   * Records `out = a @ b` as a pending product when `out` is a whole float32 buffer and the GEMM
   * needs no K splits, so that the elementwise ops applied to it run as the GEMM's epilogue (bias
   * and activation after a linear layer, an optimizer's update of a weight by its gradient).
   * Returns false when the caller must run the matmul now.
   */
  matmul(out: View, a: View, b: View): boolean {
    if (!this.enabled || out.dtype !== 'float32') return false;
    const ob = out.buffer as GpuBuffer;
    const n = numel(out.shape);
    if (n === 0 || n !== ob.size || !wholeBuffer(out) || a.buffer === ob || b.buffer === ob) return false;
    const plan = planMatmul(out, a, b);
    if (plan === null || plan.splits !== 1) return false;
    // Operands are leaves: never pending.
    this.materialise(a.buffer as GpuBuffer);
    this.materialise(b.buffer as GpuBuffer);
    const rt = this.rt;
    const node: ProducerNode = {
      kind: 'producer',
      op: 'matmul',
      dtype: 'float32',
      reads: [leafOf(a), leafOf(b)],
      bindings: 2,
      home: ob,
      stored: null,
      run: (buf, epi) => {
        if (epi === null) gemm(rt, { ...plan, out: { kind: 'contiguous', buffer: buf, offset: 0 } });
        else {
          const op = `fused(${epi.names})`;
          gemm(rt, { ...plan, op, describe: () => `${op}: ${plan.describe()}`, out: gemmOut(epi) });
        }
      },
    };
    this.setPending(ob, node, n, 'float32');
    return true;
  }

  /**
   * Records a reduction of `x` into `out` as a pending result when `out` is a whole buffer and the
   * reduction is one kernel pass, so that elementwise ops applied to it (an optimizer's update of
   * a bias by its gradient, a mean's division) run as its epilogue; a pending `x` is read through
   * its expression (see `source`). Returns false when the caller must reduce now.
   */
  reduce(op: ReduceOp, out: View, x: View, axes: readonly number[]): boolean {
    if (!this.enabled || op === 'argmax' || op === 'argmin') return false;
    const ob = out.buffer as GpuBuffer;
    const n = numel(out.shape);
    if (n === 0 || n !== ob.size || !wholeBuffer(out) || x.buffer === ob) return false;
    if (!reducesInOnePass(op, out, x, axes)) return false;
    const xb = x.buffer as GpuBuffer;
    const src = this.source(x);
    // The expression read instead of x is captured now: its leaves are what the kernel reads.
    const reads = src !== null && xb.pending !== null ? leavesOf(resolve(xb.pending.root)) : [leafOf(x)];
    if (reads.some((l) => l.buf === ob)) return false;
    if (src === null) this.materialise(xb);
    const rt = this.rt;
    const node: ProducerNode = {
      kind: 'producer',
      op,
      dtype: out.dtype,
      reads,
      bindings: src === null ? 1 : src.buffers.length,
      home: ob,
      stored: null,
      run: (buf, epi) => {
        const o = { buffer: buf, dtype: out.dtype, shape: out.shape, strides: out.strides, offset: 0 };
        reduce(rt, op, o, x, axes, src, epi);
      },
    };
    this.setPending(ob, node, n, out.dtype);
    return true;
  }

  /**
   * How a reduction reads `x` when its buffer is pending: through the expression (one kernel for
   * the elementwise ops and the reduction; the buffer stays pending), or null to bind the buffer
   * (materialising it) when the expression computes a matmul, reads its own buffer, or needs more
   * bindings than a kernel has.
   */
  source(x: View): InputSource | null {
    const b = x.buffer as GpuBuffer;
    const p = b.pending;
    if (!this.enabled || p === null || x.dtype !== p.dtype) return null;
    const root = resolve(p.root);
    if (producersOf(root).length > 0 || p.leaves.some((l) => l.buf === b)) return null;
    if (leavesOf(root).length > this.maxLeaves) return null;
    return inputSource(b, p.dtype, root);
  }

  /** Makes `root` the pending expression of `ob`, listing `ob` as a reader of what it reads. */
  private setPending(ob: GpuBuffer, built: ExprNode, n: number, dtype: DType): void {
    // A pending result holds a buffer like a queued kernel: it counts toward maxUnawaitedOps.
    this.rt.countOp(built.kind === 'leaf' ? 'copy' : built.op);
    this.forceReaders(ob);
    const old = ob.pending;
    if (old !== null) {
      this.drop(ob);
      // `ob` gets other contents: a producer whose result was to be kept there no longer may be.
      if (old.root.kind === 'producer' && old.root.home === ob && old.root !== built) old.root.home = null;
    }
    // Forcing the readers may have computed a producer of the tree (stored in `ob` itself even).
    const root = resolve(built);
    const leaves = leavesOf(root, true);
    const uniform = producersOf(root).length === 0 && leaves.every((l) => l.mode === 'z');
    const homes = [...new Set(producersOf(root).map((g) => g.home))].filter(
      (h): h is GpuBuffer => h !== null && h !== ob,
    );
    ob.pending = { root, n, dtype, leaves, homes, uniform, batch: this.rt.batchId };
    for (const l of leaves) if (l.buf !== ob) (l.buf.readers ??= new Set()).add(ob);
    for (const h of homes) (h.readers ??= new Set()).add(ob);
  }

  /**
   * Called before a buffer is used outside fusion (bound to a kernel, read, copied, written):
   * materialises it if pending, and before a write, the pending expressions that read it.
   */
  use(buf: GpuBuffer, write: boolean): void {
    // The home a kernel keeps its producer's result in: its readers wait for that very kernel.
    if (buf === this.keeping) return;
    if (buf.pending !== null) this.materialise(buf);
    if (write) this.forceReaders(buf);
  }

  /**
   * Called when the tensor layer frees a buffer: its pending expression is dropped. A buffer that
   * pending expressions still read is released once they are materialised or dropped, not
   * before, and without running them: a temporary freed right after use (linear's product before
   * its bias is added) stays fusable, and a gradient nobody reads (its weight's update computed
   * it in its own epilogue) is never computed. Returns whether the caller may release it now.
   */
  release(buf: GpuBuffer): boolean {
    const p = buf.pending;
    if (p !== null) this.drop(buf);
    const rs = buf.readers;
    if (rs === null || rs.size === 0) {
      // Reused at once: nothing may keep a result there any more.
      if (p !== null && p.root.kind === 'producer' && p.root.home === buf) p.root.home = null;
      return true;
    }
    if (this.rt.lost !== null) {
      buf.readers = null;
      return true;
    }
    buf.orphan = true;
    return false;
  }

  /**
   * Runs the pending expression of `buf` (one kernel), if any. A producer it computes (a matmul,
   * a reduction) is computed once: its kernel also stores the result into the producer's home
   * buffer when someone may still read it there (the tensor holding it, or another pending
   * expression over it), and later kernels read that instead. Elementwise subtrees are cheap
   * (O(elements)) and may be computed again by each expression that inlines them.
   */
  materialise(buf: GpuBuffer): void {
    const p = buf.pending;
    if (p === null) return;
    buf.pending = null;
    this.materialised++;
    let r = resolve(p.root);
    let g = producersOf(r)[0];
    const home = g === undefined ? null : this.homeToKeep(g, buf);
    if (g !== undefined && home !== null && !this.fitsKeep(r, buf, g)) {
      // No binding left for a second output: compute the producer alone, then the rest.
      this.compute(g, home);
      r = resolve(r);
      g = undefined;
    }
    if (r.kind === 'producer') {
      // The trees over it (readers of `buf`) read the result this very kernel stores.
      this.keeping = buf;
      try {
        r.run(buf, null);
      } finally {
        this.keeping = null;
      }
      if (r.home === buf) r.stored = wholeLeaf(buf, r.dtype, p.n);
    } else if (g !== undefined) {
      const h = home === null ? null : this.takeHome(g, home);
      this.keeping = home;
      try {
        g.run(buf, epilogue(buf, p.dtype, r, g, home));
      } finally {
        this.keeping = null;
      }
      if (home !== null) g.stored = wholeLeaf(home, g.dtype, home.size);
      if (h !== null) this.unlink(home!, h);
    } else if (r.kind === 'op' && r.op === 'fill') {
      // A pending fill: the eager fill, which writes small buffers without a dispatch.
      const view = { buffer: buf, dtype: p.dtype, shape: [p.n], strides: [1], offset: 0 };
      fill(this.rt, view, r.attrs[0]!.value);
    } else this.rt.run(fusedDispatch(buf, p.dtype, p.n, r));
    this.unlink(buf, p);
  }

  /** Buffer being written as a producer's home by the kernel being recorded (see `use`). */
  private keeping: GpuBuffer | null = null;

  /**
   * Where the kernel computing `g` into `buf` should also keep `g`'s result: its home, unless
   * that is `buf` itself, or it is already stored, or nobody but `buf` can read it there.
   */
  private homeToKeep(g: ProducerNode, buf: GpuBuffer): GpuBuffer | null {
    const h = g.home;
    if (h === null || h === buf || g.stored !== null) return null;
    if (h.pending !== null && h.pending.root === g) return h;
    // A home freed by the tensor layer: kept only for other pending expressions over `g`.
    return h.readers !== null && [...h.readers].some((x) => x !== buf) ? h : null;
  }

  /** Takes the pending result `g` off its `home` (about to be stored there); returns what it was. */
  private takeHome(g: ProducerNode, home: GpuBuffer): Pending | null {
    const hp = home.pending;
    if (hp === null || hp.root !== g) return null;
    home.pending = null;
    return hp;
  }

  /** Runs `g` alone into `home` and marks it stored. */
  private compute(g: ProducerNode, home: GpuBuffer): void {
    const hp = this.takeHome(g, home);
    this.keeping = home;
    try {
      g.run(home, null);
    } finally {
      this.keeping = null;
    }
    g.stored = wholeLeaf(home, g.dtype, home.size);
    if (hp !== null) this.unlink(home, hp);
  }

  /** Whether the epilogue of `r` over `g` into `out` has a binding left for `g`'s home. */
  private fitsKeep(r: ExprNode, out: GpuBuffer, g: ProducerNode): boolean {
    return leavesOf(r).filter((l) => l.buf !== out).length + 1 <= this.maxLeaves - g.bindings;
  }

  /** Materialises every pending expression that reads `buf`. */
  private forceReaders(buf: GpuBuffer): void {
    const rs = buf.readers;
    if (rs === null || rs.size === 0) return;
    for (const r of [...rs]) this.materialise(r);
  }

  /** Forgets the pending expression of `buf`. */
  private drop(buf: GpuBuffer): void {
    const p = buf.pending;
    buf.pending = null;
    if (p !== null) this.unlink(buf, p);
  }

  /** Takes `buf` off the readers of the leaves of `p`, releasing leaves freed meanwhile. */
  private unlink(buf: GpuBuffer, p: Pending): void {
    for (const leaf of [...p.leaves.map((l) => l.buf), ...p.homes]) {
      if (leaf === buf || leaf.readers === null) continue;
      leaf.readers.delete(buf);
      if (leaf.orphan && leaf.readers.size === 0) {
        leaf.orphan = false;
        this.rt.pool.release(leaf);
      }
    }
  }

  /** Whether an expression fits one kernel: its node count and the bindings its leaves need. */
  private fits(root: ExprNode, dtype: DType, out: GpuBuffer): boolean {
    if (root.kind === 'op' && root.size > this.maxNodes) return false;
    const bound = leavesOf(root).filter((l) => l.buf !== out).length;
    const ps = producersOf(root);
    // An epilogue writes its producer's dtype and shares the bindings with the producer's inputs.
    const g = ps[0];
    if (g !== undefined) return ps.length === 1 && dtype === g.dtype && bound <= this.maxLeaves - g.bindings;
    return bound <= this.maxLeaves;
  }

  /**
   * The op node over `inputs`: a pending input read element for element is inlined (when
   * `inline`), any other pending input is materialised first and read as a leaf.
   */
  private build(
    op: string,
    def: OpDef,
    out: View,
    inputs: readonly FuseInput[],
    attrs: Partial<Record<AttrName, number>>,
    computeOverride: WgslType | undefined,
    inline: boolean,
  ): ExprNode | null {
    const ob = out.buffer as GpuBuffer;
    // One kernel computes at most one matmul: a second one's product is materialised first.
    let product: ProducerNode | null = null;
    const args: Arg[] = inputs.map((x) => {
      const b = x.view.buffer as GpuBuffer;
      let p = b.pending;
      let node: ExprNode | null = null;
      // Producers computed meanwhile are read from where they were stored.
      const root = p === null ? null : resolve(p.root);
      const g = root === null ? undefined : producersOf(root);
      if (g !== undefined && g.length > 0) {
        if (!inline || g.length > 1 || (product !== null && product !== g[0])) {
          this.materialise(b);
          p = null;
        } else product = g[0]!;
      }
      if (p !== null) {
        // An expression reading its own buffer stays with that buffer (it reads the old values).
        // One from an earlier batch (state updated in place every step, such as an optimizer's
        // moments) is materialised rather than grown step after step.
        const selfRead = p.leaves.some((l) => l.buf === b);
        const fresh = p.batch === this.rt.batchId;
        if (inline && fresh && elementForElement(x.view, p) && (!selfRead || b === ob)) node = root;
        else this.materialise(b);
      }
      return { node: node ?? leafOf(x.view), dtype: x.view.dtype, name: x.name, convert: x.convert };
    });
    return opNode(op, def, out.dtype, args, attrs, computeOverride);
  }
}

/** Whether `v` covers its buffer from offset 0 in row-major order. */
function wholeBuffer(v: View): boolean {
  if (v.offset !== 0) return false;
  const c = collapse(v.shape, [v.strides]);
  return c.shape.length === 0 || addrMode(c.shape, c.strides[0]!) === 'c';
}

/** Whether `v` reads pending buffer `p` element for element (flat index i is element i). */
function elementForElement(v: View, p: Pending): boolean {
  if (v.dtype !== p.dtype) return false;
  return p.uniform || (numel(v.shape) === p.n && wholeBuffer(v));
}
