// The per-column encoders of readCsv: numeric columns, and categorical ones as one-hot or
// label codes.
import { LabelEncoder } from '../transforms/encode.js';
import type { MissingValue } from './tabular.js';

/** A finite number, or undefined for text that is not one. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** Where values are missing, which columns are categorical, and which rows survive. */
export interface Analysis {
  missing: MissingValue[];
  categorical: Set<number>;
  keep: number[];
  droppedRows: number[];
  isMissing: (s: string) => boolean;
  policy: 'error' | 'drop' | 'mean' | number;
}

/** A run of columns of x and how to fill them for one row. */
export interface Block {
  width: number;
  fill: (row: number, out: Float32Array, at: number) => void;
}

/**
 * A categorical column's block: one-hot (capped at `maxCategories`, an error naming the column
 * and the options to use otherwise) or one label-code column; missing values get the most
 * frequent category under `missing: 'mean'`, else no category (one-hot) or the fill value.
 */
export function categoricalBlock(
  name: string,
  col: readonly string[],
  a: Analysis,
  encoding: 'oneHot' | 'label',
  maxCategories: number,
  op: string,
): { block: Block; enc: LabelEncoder<string>; names: string[] } {
  const present = a.keep.map((r) => col[r]!).filter((v) => !a.isMissing(v));
  const enc = new LabelEncoder<string>().fit(present);
  if (encoding === 'oneHot' && enc.classes.length > maxCategories) {
    throw new RangeError(
      `${op}: column ${JSON.stringify(name)} has ${enc.classes.length} categories, over maxCategories (${maxCategories}) for one-hot encoding: pass maxCategories: ${enc.classes.length} to allow it, or encoding: { ${JSON.stringify(name)}: 'label' } for one integer column`,
    );
  }
  const mode = a.policy === 'mean' ? mostFrequent(present) : undefined;
  const modeCode = mode === undefined ? -1 : enc.encode([mode])[0]!;
  const code = (r: number): number => {
    const v = col[r]!;
    return a.isMissing(v) ? modeCode : enc.encode([v])[0]!;
  };
  if (encoding === 'label') {
    const fillValue = typeof a.policy === 'number' ? a.policy : Number.NaN;
    return {
      enc,
      names: [name],
      block: {
        width: 1,
        fill: (r, out, at) => {
          const k = code(r);
          out[at] = k >= 0 ? k : fillValue;
        },
      },
    };
  }
  const block: Block = {
    width: enc.classes.length,
    fill: (r, out, at) => {
      const k = code(r);
      if (k >= 0) out[at + k] = 1; // a numeric fill: no category
    },
  };
  return { enc, names: enc.classes.map((k) => `${name}=${k}`), block };
}

/** A numeric column's block: its values, missing ones filled per the policy (mean or a number). */
export function numericBlock(col: readonly string[], a: Analysis): Block {
  const values = col.map((v) => (a.isMissing(v) ? Number.NaN : parseNumber(v)!));
  let fillValue = typeof a.policy === 'number' ? a.policy : Number.NaN;
  if (a.policy === 'mean') {
    let s = 0;
    let n = 0;
    for (const r of a.keep) {
      if (Number.isNaN(values[r]!)) continue;
      s += values[r]!;
      n++;
    }
    fillValue = n > 0 ? s / n : 0;
  }
  return {
    width: 1,
    fill: (r, out, at) => void (out[at] = Number.isNaN(values[r]!) ? fillValue : values[r]!),
  };
}

/** The most frequent value (the smallest on ties); undefined for none. */
function mostFrequent(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined;
  let bestN = 0;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN || (n === bestN && best !== undefined && v < best)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}
