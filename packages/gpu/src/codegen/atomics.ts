/**
 * Atomics shared by scatter-style kernels. WGSL has no atomic float add, so float accumulation
 * is a compare-and-swap loop on the value's u32 bit pattern: correct under contention, but the
 * order in which colliding additions land is unspecified (float sums may differ in the last bits
 * from run to run). Integers use atomicAdd and are exact.
 */

/** WGSL atomic float add on `O: array<atomic<u32>>` (binding 1) by compare-and-swap. */
export const ATOMIC_ADD_F32 = `@group(0) @binding(1) var<storage, read_write> O: array<atomic<u32>>;
fn atomicAddF32(i: u32, v: f32) {
  var old = atomicLoad(&O[i]);
  loop {
    let r = atomicCompareExchangeWeak(&O[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;

/**
 * WGSL out-of-range index reporting through the runtime's error buffer at `binding`. The last
 * word of P is the dispatch's check number, appended by the runtime, which maps it back to the
 * user-level op that queued the dispatch (see Runtime.record).
 */
export function INDEX_ERRORS(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> E: array<atomic<u32>>;
fn reportIndex(op: u32, value: i32, dim: u32, size: u32) {
  if (atomicMax(&E[0], 1u) == 0u) {
    atomicStore(&E[1], op); atomicStore(&E[2], bitcast<u32>(value)); atomicStore(&E[3], dim); atomicStore(&E[4], size);
    atomicStore(&E[5], P[arrayLength(&P) - 1u]);
  }
}`;
}
