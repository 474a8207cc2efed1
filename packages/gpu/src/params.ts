/**
 * Kernel parameters (shapes, strides, offsets, scalars) travel in one small read-only storage
 * buffer `P: array<u32>` per dispatch. A kernel lists its fields in a fixed order; `pack` lays
 * them out and returns both the words to upload and each field's index, which the code generator
 * bakes into the shader (`P[7]`, `pi(8u)`, `pf(9u)`). A cached pipeline serves later calls, so
 * every field's index must depend only on the variant key: fixed-size fields come first, and
 * fields whose length varies between calls of one variant (shapes and strides of any rank) are
 * `dynamic`: appended after all fixed ones, with a fixed header word holding their start
 * (read in WGSL as `P[h]`, see `dyn`).
 */

/** One named parameter field: integers (u32 or i32 bit patterns) or float32 values. */
export interface Field {
  readonly name: string;
  readonly values: readonly number[];
  readonly float?: boolean;
  /** Length varies between calls of one kernel variant: stored after the fixed fields. */
  readonly dynamic?: boolean;
}

/** Integer field (u32 or i32; negative values are stored as their two's-complement bits). */
export function ints(name: string, values: readonly number[] | number): Field {
  return { name, values: typeof values === 'number' ? [values] : values };
}

/** Integer field whose length varies between calls (ranks); index it with `dyn(at, name)`. */
export function dynInts(name: string, values: readonly number[]): Field {
  return { name, values: values.length > 0 ? values : [0], dynamic: true };
}

/** WGSL u32 expression: the start index in P of dynamic field `name`. */
export function dyn(at: Readonly<Record<string, number>>, name: string): string {
  const h = at[name];
  if (h === undefined) throw new Error(`params: no field '${name}'`);
  return `P[${h}]`;
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

/**
 * Lays out fields: fixed ones in order (a dynamic field takes one header word there), then the
 * dynamic fields' values. `at[name]` is a fixed field's first word, or a dynamic field's header.
 */
export function pack(fields: readonly Field[]): Packed {
  let n = 0;
  for (const f of fields) n += f.dynamic ? 1 + f.values.length : f.values.length;
  const words = new Uint32Array(Math.max(1, n));
  const at: Record<string, number> = {};
  let i = 0;
  const put = (f: Field) => {
    for (const v of f.values) {
      if (f.float) {
        f32[0] = v;
        words[i++] = u32[0]!;
      } else words[i++] = v >>> 0;
    }
  };
  for (const f of fields) {
    at[f.name] = i;
    if (f.dynamic) i++;
    else put(f);
  }
  for (const f of fields) {
    if (!f.dynamic) continue;
    words[at[f.name]!] = i;
    put(f);
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
