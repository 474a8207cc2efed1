import { LAYOUT } from './layout.generated.js';

// The kernels' linear memory and how it is carved up:
//
//   [0, RESERVED)                       control words of the thread pool and the job descriptor
//   [RESERVED, arenaBase)               scratch, SCRATCH.SIZE bytes per thread (slot 0: caller)
//   [arenaBase, ...)                    the arena: operands copied in, packed panels, results
//
// The arena is a bump allocator reset at the start of every kernel call (calls never nest), so
// memory stays at the high-water mark of the largest call; WebAssembly memory cannot shrink.

const PAGE = 65536;
const ALIGN = 64;

/** Thrown when a kernel call needs more memory than the WebAssembly memory can grow to. */
export class WasmOutOfMemory extends Error {}

/** The kernels' memory, with typed views refreshed whenever it grows. */
export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly maxPages: number;
  f32!: Float32Array;
  i32!: Int32Array;
  f64!: Float64Array;
  u8!: Uint8Array;
  /** Threads with a scratch slot. */
  private slots = 1;
  private arenaBase = 0;
  private top = 0;

  private constructor(memory: WebAssembly.Memory, shared: boolean, maxPages: number) {
    this.memory = memory;
    this.shared = shared;
    this.maxPages = maxPages;
    this.refresh();
    this.layout();
  }

  /** A new memory, shared when `shared`, with room for the caller's scratch and a small arena. */
  static create(shared: boolean): Heap {
    const initial = Math.ceil((LAYOUT.RESERVED + 2 * LAYOUT.SCRATCH.SIZE + (4 << 20)) / PAGE);
    // A 4 GiB maximum only reserves address space; fall back to 1 GiB where even that fails.
    for (const maximum of [LAYOUT.MAX_PAGES, 16384]) {
      try {
        return new Heap(new WebAssembly.Memory({ initial, maximum, shared }), shared, maximum);
      } catch (e) {
        if (maximum === 16384) throw e;
      }
    }
    throw new Error('unreachable');
  }

  /** Re-creates the typed views if the memory grew (by us or, when shared, by anyone). */
  refresh(): void {
    const buf = this.memory.buffer;
    if (this.f32 === undefined || this.f32.buffer !== buf || this.f32.byteLength !== buf.byteLength) {
      this.f32 = new Float32Array(buf);
      this.i32 = new Int32Array(buf);
      this.f64 = new Float64Array(buf);
      this.u8 = new Uint8Array(buf);
    }
  }

  private layout(): void {
    this.arenaBase = LAYOUT.RESERVED + this.slots * LAYOUT.SCRATCH.SIZE;
    this.top = this.arenaBase;
  }

  /** Byte address of the scratch of thread `slot` (0: the calling thread, i + 1: worker i). */
  scratch(slot: number): number {
    return LAYOUT.RESERVED + slot * LAYOUT.SCRATCH.SIZE;
  }

  /** Threads that have scratch memory. */
  get scratchSlots(): number {
    return this.slots;
  }

  /** Gives `n` threads scratch memory (moves the arena: only between kernel calls). */
  ensureSlots(n: number): void {
    if (n <= this.slots) return;
    this.slots = n;
    this.layout();
    this.ensure(this.arenaBase);
  }

  /** Starts a kernel call: frees everything the previous one allocated. */
  reset(): void {
    this.top = this.arenaBase;
    this.refresh();
  }

  /** Allocates `bytes` in the arena (64-byte aligned); grows the memory when needed. */
  alloc(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    this.ensure(end);
    this.top = end;
    return at;
  }

  /** Makes the memory at least `end` bytes long. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    const now = have / PAGE;
    // Grow geometrically (a quarter more) so that a run of growing calls does not grow each time.
    const want = Math.min(this.maxPages - now, Math.max(pages, Math.ceil(now / 4)));
    if (want < pages) {
      throw new WasmOutOfMemory(`needs ${end} bytes, above the ${this.maxPages * PAGE}-byte limit`);
    }
    try {
      this.memory.grow(want);
    } catch {
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new WasmOutOfMemory(`cannot grow to ${end} bytes: ${(e as Error).message}`);
      }
    }
    this.refresh();
  }

  /** Bytes of linear memory currently allocated (the high-water mark). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}
