/**
 * Kernel parameters (shapes, strides, offsets, scalars) travel in one small read-only storage
 * buffer `P: array<u32>` per dispatch. A kernel lists its fields in a fixed order; `pack` lays
 * them out and returns both the words to upload and each field's index, which the code generator
 * uses (`P[7]`, `pi(8)`, `pf(9)`). The order depends only on the kernel variant (ranks, modes),
 * so a cached pipeline's field indices always match the words packed for a later call.
 */

/** One named parameter field: integers (u32 or i32 bit patterns) or float32 values. */
export interface Field {
  readonly name: string;
  readonly values: readonly number[];
  readonly float?: boolean;
}

/** Integer field (u32 or i32; negative values are stored as their two's-complement bits). */
export function ints(name: string, values: readonly number[] | number): Field {
  return { name, values: typeof values === 'number' ? [values] : values };
}

/** Float32 field (stored as its bit pattern; read with `pf(i)`). */
export function floats(name: string, values: readonly number[] | number): Field {
  return { name, values: typeof values === 'number' ? [values] : values, float: true };
}

/** Packed parameters: the words and the index of each field's first word. */
export interface Packed {
  readonly words: Uint32Array;
  readonly at: Readonly<Record<string, number>>;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Lays out fields in order. */
export function pack(fields: readonly Field[]): Packed {
  let n = 0;
  for (const f of fields) n += f.values.length;
  const words = new Uint32Array(Math.max(1, n));
  const at: Record<string, number> = {};
  let i = 0;
  for (const f of fields) {
    at[f.name] = i;
    for (const v of f.values) {
      if (f.float) {
        f32[0] = v;
        words[i++] = u32[0]!;
      } else words[i++] = v >>> 0;
    }
  }
  return { words, at };
}

/** WGSL declarations of the parameter buffer and its accessors (binding 0). */
export const PARAMS_WGSL = `
@group(0) @binding(0) var<storage, read> P: array<u32>;
fn pu(i: u32) -> u32 { return P[i]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(P[i]); }
fn pf(i: u32) -> f32 { return bitcast<f32>(P[i]); }
// Non-finite constants must not be const-expressions (WGSL rejects them), hence private vars.
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn inf_() -> f32 { return bitcast<f32>(INF_BITS); }
fn nan_() -> f32 { return bitcast<f32>(NAN_BITS); }
`;
