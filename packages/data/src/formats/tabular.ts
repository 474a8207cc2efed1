import { type Tensor, tensor } from '@tessera/tensor';
import { TensorDataset } from '../dataset.js';
import { LabelEncoder } from '../transforms/encode.js';
import { type CsvParseOptions, parseCsv } from './csv.js';
import type { TextSource } from './text-source.js';

/** A column, by header name or 0-based position. */
export type ColumnRef = string | number;

/** A missing value: data row (1-based, header not counted), line in the file, and column. */
export interface MissingValue {
  row: number;
  line: number;
  column: string;
}

/** Options of `readCsv`. */
export interface ReadCsvOptions extends CsvParseOptions {
  /** The first record names the columns (default true). */
  header?: boolean;
  /** Column names when there is no header (default '0', '1', ...). */
  columns?: readonly string[];
  /** The label column; omit for features only. */
  label?: ColumnRef;
  /** Feature columns (default: every column except the label). */
  features?: readonly ColumnRef[];
  /**
   * Categorical columns: a list, or 'auto' (default: a column is categorical when one of its
   * non-missing values is not a number).
   */
  categorical?: readonly ColumnRef[] | 'auto';
  /** Encoding of categorical features: 'oneHot' (default; one 0/1 column per category) or 'label' (one integer code column). Per column with an object. */
  encoding?: 'oneHot' | 'label' | Readonly<Record<string, 'oneHot' | 'label'>>;
  /**
   * 'class' (label-encoded int32, `classes` lists the values) or 'regression' (float32). Default
   * 'auto': 'class' when the label column is categorical or all integers, else 'regression'.
   */
  labelType?: 'auto' | 'class' | 'regression';
  /** Strings that mean "missing" (default: '', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'). */
  naValues?: readonly string[];
  /**
   * What to do with missing values: 'error' (default: fail, listing where they are), 'drop'
   * (skip those rows), 'mean' (numeric columns: the column mean; categorical: the most frequent
   * value), or a number to fill numeric columns with. Missing labels always drop the row unless 'error'.
   */
  missing?: 'error' | 'drop' | 'mean' | number;
}

/** Description of one encoded input column. */
export interface CsvColumnInfo {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Categories (sorted), for categorical columns. */
  categories?: (string | number)[];
  encoding?: 'oneHot' | 'label';
}

/**
 * A table read from CSV: `x` [rows, features] float32 (categorical columns encoded) and, with a
 * label column, `y` [rows] (int32 class codes or float32 targets). Sample i is `[x_i, y_i]`
 * (or `[x_i]` without a label), like a `TensorDataset`.
 */
export class CsvDataset extends TensorDataset {
  /** Features [rows, featureNames.length] float32. */
  readonly x: Tensor;
  /** Labels [rows], when a label column was given. */
  readonly y: Tensor | undefined;
  /** Names of the columns of x (one-hot columns are named `column=value`). */
  readonly featureNames: string[];
  /** How each chosen feature column was encoded. */
  readonly columnInfo: CsvColumnInfo[];
  /** Label classes (code i = classes[i]) for class labels. */
  readonly classes: (string | number)[] | undefined;
  /** Encoders of the categorical columns and of a class label, by column name. */
  readonly encoders: ReadonlyMap<string, LabelEncoder>;
  /** Missing values found (and handled per the `missing` option). */
  readonly missing: MissingValue[];
  /** Rows skipped because of missing values (`missing: 'drop'`, or a missing label). */
  readonly droppedRows: number[];

  constructor(parts: {
    x: Tensor;
    y: Tensor | undefined;
    featureNames: string[];
    columnInfo: CsvColumnInfo[];
    classes: (string | number)[] | undefined;
    encoders: Map<string, LabelEncoder>;
    missing: MissingValue[];
    droppedRows: number[];
  }) {
    super(...(parts.y ? [parts.x, parts.y] : [parts.x]));
    this.x = parts.x;
    this.y = parts.y;
    this.featureNames = parts.featureNames;
    this.columnInfo = parts.columnInfo;
    this.classes = parts.classes;
    this.encoders = parts.encoders;
    this.missing = parts.missing;
    this.droppedRows = parts.droppedRows;
  }
}

const DEFAULT_NA = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Reads CSV into a `CsvDataset`, streaming the text through `parseCsv`: choose the label and
 * feature columns; numeric columns become float32 features, categorical ones are label-encoded
 * or one-hot encoded; missing values are reported by row and column (or dropped / filled).
 */
export async function readCsv(source: TextSource, opts: ReadCsvOptions = {}): Promise<CsvDataset> {
  const op = 'readCsv';
  const header = opts.header ?? true;
  const na = new Set(opts.naValues ?? DEFAULT_NA);
  let names: string[] | undefined = opts.columns ? [...opts.columns] : undefined;
  let columns: string[][] = [];
  const lines: number[] = [];
  let first = true;
  for await (const rec of parseCsv(source, opts)) {
    if (first) {
      first = false;
      if (header) {
        if (names === undefined) names = rec.fields.map((f) => f.trim());
        continue;
      }
      names ??= rec.fields.map((_, i) => String(i));
    }
    if (columns.length === 0) columns = names!.map(() => []);
    if (rec.fields.length !== names!.length) {
      throw new RangeError(
        `${op}: line ${rec.line} has ${rec.fields.length} fields but there are ${names!.length} columns (${names!.join(', ')})`,
      );
    }
    for (let c = 0; c < rec.fields.length; c++) columns[c]!.push(rec.fields[c]!);
    lines.push(rec.line);
  }
  if (names === undefined) throw new RangeError(`${op}: the CSV is empty`);
  if (columns.length === 0) columns = names.map(() => []);
  const dup = names.find((n, i) => names!.indexOf(n) !== i);
  if (dup !== undefined)
    throw new RangeError(`${op}: column name ${JSON.stringify(dup)} appears twice in the header`);
  const nRows = lines.length;

  const resolve = (ref: ColumnRef, what: string): number => {
    const idx = typeof ref === 'number' ? ref : names!.indexOf(ref);
    if (!Number.isInteger(idx) || idx < 0 || idx >= names!.length) {
      throw new RangeError(
        `${op}: ${what} column ${JSON.stringify(ref)} not found (columns: ${names!.join(', ')})`,
      );
    }
    return idx;
  };
  const labelIdx = opts.label === undefined ? -1 : resolve(opts.label, 'label');
  const featIdx = opts.features
    ? opts.features.map((f) => resolve(f, 'feature'))
    : names.map((_, i) => i).filter((i) => i !== labelIdx);
  if (featIdx.includes(labelIdx))
    throw new RangeError(`${op}: column ${JSON.stringify(names[labelIdx])} is both the label and a feature`);
  if (featIdx.length === 0) throw new RangeError(`${op}: no feature columns`);

  // Missing values and column kinds.
  const isMissing = (s: string) => na.has(s) || na.has(s.trim());
  const used = labelIdx >= 0 ? [...featIdx, labelIdx] : featIdx;
  const missing: MissingValue[] = [];
  const missingRow = new Uint8Array(nRows);
  const categoricalSet = new Set<number>();
  const explicitCat = opts.categorical !== undefined && opts.categorical !== 'auto';
  if (explicitCat)
    for (const c of opts.categorical as readonly ColumnRef[]) categoricalSet.add(resolve(c, 'categorical'));
  for (const c of used) {
    const col = columns[c]!;
    let numeric = true;
    for (let r = 0; r < nRows; r++) {
      const v = col[r]!;
      if (isMissing(v)) {
        missing.push({ row: r + 1, line: lines[r]!, column: names[c]! });
        missingRow[r] = 1;
      } else if (numeric && parseNumber(v) === undefined) numeric = false;
    }
    if (!explicitCat && !numeric) categoricalSet.add(c);
    if (explicitCat && !numeric && !categoricalSet.has(c)) {
      const r = col.findIndex((v) => !isMissing(v) && parseNumber(v) === undefined);
      throw new TypeError(
        `${op}: column ${JSON.stringify(names[c])} has the non-numeric value ${JSON.stringify(col[r])} at row ${r + 1} (line ${lines[r]}); list it in categorical`,
      );
    }
  }
  missing.sort((a, b) => a.row - b.row || names!.indexOf(a.column) - names!.indexOf(b.column));
  const policy = opts.missing ?? 'error';
  if (missing.length > 0 && policy === 'error') {
    const shown = missing
      .slice(0, 5)
      .map((m) => `row ${m.row} (line ${m.line}) column ${JSON.stringify(m.column)}`);
    throw new RangeError(
      `${op}: ${missing.length} missing value${missing.length > 1 ? 's' : ''}: ${shown.join('; ')}${missing.length > 5 ? '; ...' : ''}. Pass missing: 'drop', 'mean' or a number to handle them`,
    );
  }
  const labelMissing =
    labelIdx >= 0
      ? new Set(missing.filter((m) => m.column === names![labelIdx]).map((m) => m.row - 1))
      : new Set<number>();
  const keep: number[] = [];
  const droppedRows: number[] = [];
  for (let r = 0; r < nRows; r++) {
    if ((policy === 'drop' && missingRow[r]) || labelMissing.has(r)) droppedRows.push(r + 1);
    else keep.push(r);
  }

  // Encode features.
  const encodingOf = (name: string): 'oneHot' | 'label' => {
    const e = opts.encoding ?? 'oneHot';
    const v = typeof e === 'string' ? e : (e[name] ?? 'oneHot');
    if (v !== 'oneHot' && v !== 'label')
      throw new RangeError(
        `${op}: encoding of ${JSON.stringify(name)} must be 'oneHot' or 'label', got ${JSON.stringify(v)}`,
      );
    return v;
  };
  const encoders = new Map<string, LabelEncoder>();
  const featureNames: string[] = [];
  const columnInfo: CsvColumnInfo[] = [];
  const blocks: { width: number; fill: (row: number, out: Float32Array, at: number) => void }[] = [];
  for (const c of featIdx) {
    const name = names[c]!;
    const col = columns[c]!;
    if (categoricalSet.has(c)) {
      const present = keep.map((r) => col[r]!).filter((v) => !isMissing(v));
      const enc = new LabelEncoder<string>().fit(present);
      const mode = mostFrequent(present);
      encoders.set(name, enc);
      const encoding = encodingOf(name);
      columnInfo.push({ name, kind: 'categorical', categories: enc.classes, encoding });
      const code = (r: number): number => {
        const v = col[r]!;
        if (isMissing(v)) {
          if (policy === 'mean' && mode !== undefined) return enc.encode([mode])[0]!;
          return -1; // a numeric fill: no category
        }
        return enc.encode([v])[0]!;
      };
      if (encoding === 'label') {
        featureNames.push(name);
        const fillValue = typeof policy === 'number' ? policy : Number.NaN;
        blocks.push({ width: 1, fill: (r, out, at) => void (out[at] = code(r) >= 0 ? code(r) : fillValue) });
      } else {
        for (const k of enc.classes) featureNames.push(`${name}=${k}`);
        blocks.push({
          width: enc.classes.length,
          fill: (r, out, at) => {
            const k = code(r);
            if (k >= 0) out[at + k] = 1;
          },
        });
      }
    } else {
      const values = col.map((v) => (isMissing(v) ? Number.NaN : parseNumber(v)!));
      let fillValue = typeof policy === 'number' ? policy : Number.NaN;
      if (policy === 'mean') {
        let s = 0;
        let n = 0;
        for (const r of keep) {
          if (Number.isNaN(values[r]!)) continue;
          s += values[r]!;
          n++;
        }
        fillValue = n > 0 ? s / n : 0;
      }
      featureNames.push(name);
      columnInfo.push({ name, kind: 'numeric' });
      blocks.push({
        width: 1,
        fill: (r, out, at) => void (out[at] = Number.isNaN(values[r]!) ? fillValue : values[r]!),
      });
    }
  }
  const width = blocks.reduce((a, b) => a + b.width, 0);
  const xData = new Float32Array(keep.length * width);
  keep.forEach((r, i) => {
    let at = i * width;
    for (const b of blocks) {
      b.fill(r, xData, at);
      at += b.width;
    }
  });
  const x = tensor(xData, { shape: [keep.length, width] });

  // Encode the label.
  let y: Tensor | undefined;
  let classes: (string | number)[] | undefined;
  if (labelIdx >= 0) {
    const name = names[labelIdx]!;
    const raw = keep.map((r) => columns[labelIdx]![r]!);
    const nums = raw.map(parseNumber);
    const allNumeric = !categoricalSet.has(labelIdx) && nums.every((v) => v !== undefined);
    let type = opts.labelType ?? 'auto';
    if (type === 'auto')
      type = !allNumeric || nums.every((v) => Number.isInteger(v)) ? 'class' : 'regression';
    if (type === 'regression') {
      if (!allNumeric) {
        const r = nums.indexOf(undefined);
        throw new TypeError(
          `${op}: label column ${JSON.stringify(name)} has the non-numeric value ${JSON.stringify(raw[r])} at row ${keep[r]! + 1}; use labelType 'class'`,
        );
      }
      y = tensor(Float32Array.from(nums as number[]));
    } else if (type === 'class') {
      const values: (string | number)[] = allNumeric ? (nums as number[]) : raw;
      const enc = new LabelEncoder().fit(values);
      encoders.set(name, enc);
      classes = enc.classes;
      y = enc.transform(values);
    } else {
      throw new RangeError(
        `${op}: labelType must be 'auto', 'class' or 'regression', got ${JSON.stringify(type)}`,
      );
    }
  }
  return new CsvDataset({ x, y, featureNames, columnInfo, classes, encoders, missing, droppedRows });
}

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
