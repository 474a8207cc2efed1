import { checkOptions, type OptionSpec, suggestOption, type Tensor, tensor } from '@tessera/tensor';
import { TensorDataset } from '../dataset.js';
import { LabelEncoder } from '../transforms/encode.js';
import { type CsvParseOptions, parseCsv } from './csv.js';
import { type Analysis, type Block, categoricalBlock, numericBlock, parseNumber } from './tabular-columns.js';
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
  /**
   * Most categories a one-hot encoded column may have (default 1000): each becomes a column of
   * x, so a column of unique strings would otherwise make x rows x rows.
   */
  maxCategories?: number;
  /** Largest x, in bytes, that may be built (default 1 GiB). */
  maxBytes?: number;
  /** The file's name for error messages (default: the URL, or the File's name). */
  name?: string;
}

const DEFAULT_MAX_CATEGORIES = 1000;
const DEFAULT_MAX_BYTES = 2 ** 30;

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

const READ_CSV_OPTIONS: OptionSpec = {
  delimiter: 'string',
  quote: 'string',
  header: 'boolean',
  columns: 'array',
  label: 'string|integer',
  features: 'array',
  categorical: { type: 'array', oneOf: ['auto'] },
  encoding: { type: 'object', oneOf: ['oneHot', 'label'] },
  labelType: ['auto', 'class', 'regression'],
  naValues: 'array',
  missing: { type: 'finite', oneOf: ['error', 'drop', 'mean'] },
  maxCategories: 'integer',
  maxBytes: 'integer',
  name: 'string',
};

/** Column names for a message: a file may have thousands, so long lists are cut. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${shown}, ... (${names.length} columns)` : shown;
}

/** The name errors use for `source`: the `name` option, a URL, or a File's name. */
function sourceName(source: TextSource, name: string | undefined): string | undefined {
  if (name !== undefined) return name;
  if (source instanceof URL) return source.href;
  if (typeof File === 'function' && source instanceof File && source.name !== '') return source.name;
  return undefined;
}

/** The records of the file as columns of strings, with their names and line numbers. */
interface Table {
  names: string[];
  /** Column index by name (first occurrence). */
  index: Map<string, number>;
  columns: string[][];
  lines: number[];
}

async function readTable(source: TextSource, opts: ReadCsvOptions, op: string): Promise<Table> {
  const header = opts.header ?? true;
  let names: string[] | undefined = opts.columns ? opts.columns.map(String) : undefined;
  let columns: string[][] = [];
  const lines: number[] = [];
  let first = true;
  const parseOpts = { delimiter: opts.delimiter, quote: opts.quote };
  for await (const rec of parseCsv(source, parseOpts)) {
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
        `${op}: line ${rec.line} has ${rec.fields.length} fields but there are ${names!.length} columns (${listNames(names!)})`,
      );
    }
    for (let c = 0; c < rec.fields.length; c++) columns[c]!.push(rec.fields[c]!);
    lines.push(rec.line);
  }
  if (names === undefined) throw new RangeError(`${op}: the CSV is empty`);
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    if (index.has(names[i]!))
      throw new RangeError(`${op}: column name ${JSON.stringify(names[i])} appears twice in the header`);
    index.set(names[i]!, i);
  }
  if (lines.length === 0)
    throw new RangeError(`${op}: no data rows: the CSV has a header (${listNames(names)}) but no records`);
  return { names, index, columns, lines };
}

function analyze(
  t: Table,
  opts: ReadCsvOptions,
  op: string,
  used: number[],
  labelIdx: number,
  resolve: (ref: ColumnRef, what: string) => number,
): Analysis {
  const na = new Set(opts.naValues ?? DEFAULT_NA);
  const isMissing = (s: string) => na.has(s) || na.has(s.trim());
  const { names, columns, lines } = t;
  const nRows = lines.length;
  const found: { row: number; col: number }[] = [];
  const missingRow = new Uint8Array(nRows);
  const categorical = new Set<number>();
  const explicitCat = opts.categorical !== undefined && opts.categorical !== 'auto';
  if (explicitCat)
    for (const c of opts.categorical as readonly ColumnRef[]) categorical.add(resolve(c, 'categorical'));
  for (const c of used) {
    const col = columns[c]!;
    let numeric = true;
    for (let r = 0; r < nRows; r++) {
      const v = col[r]!;
      if (isMissing(v)) {
        found.push({ row: r, col: c });
        missingRow[r] = 1;
      } else if (numeric && parseNumber(v) === undefined) numeric = false;
    }
    if (!explicitCat && !numeric) categorical.add(c);
    if (explicitCat && !numeric && !categorical.has(c)) {
      const r = col.findIndex((v) => !isMissing(v) && parseNumber(v) === undefined);
      throw new TypeError(
        `${op}: column ${JSON.stringify(names[c])} has the non-numeric value ${JSON.stringify(col[r])} at row ${r + 1} (line ${lines[r]}); list it in categorical`,
      );
    }
  }
  found.sort((a, b) => a.row - b.row || a.col - b.col);
  const missing = found.map((m) => ({ row: m.row + 1, line: lines[m.row]!, column: names[m.col]! }));
  const policy = opts.missing ?? 'error';
  if (missing.length > 0 && policy === 'error') {
    const shown = missing
      .slice(0, 5)
      .map((m) => `row ${m.row} (line ${m.line}) column ${JSON.stringify(m.column)}`);
    throw new RangeError(
      `${op}: ${missing.length} missing value${missing.length > 1 ? 's' : ''}: ${shown.join('; ')}${missing.length > 5 ? '; ...' : ''}. Pass missing: 'drop', 'mean' or a number to handle them`,
    );
  }
  const labelMissing = new Set(found.filter((m) => m.col === labelIdx).map((m) => m.row));
  const keep: number[] = [];
  const droppedRows: number[] = [];
  for (let r = 0; r < nRows; r++) {
    if ((policy === 'drop' && missingRow[r]) || labelMissing.has(r)) droppedRows.push(r + 1);
    else keep.push(r);
  }
  if (keep.length === 0)
    throw new RangeError(
      `${op}: no rows left: all ${nRows} have a missing ${policy === 'drop' ? 'value' : 'label'} (see missing: 'mean' or a number to fill them)`,
    );
  return { missing, categorical, keep, droppedRows, isMissing, policy };
}

function encodeLabel(
  t: Table,
  labelIdx: number,
  a: Analysis,
  opts: ReadCsvOptions,
  op: string,
): { y: Tensor; classes?: (string | number)[]; enc?: LabelEncoder } {
  const name = t.names[labelIdx]!;
  const raw = a.keep.map((r) => t.columns[labelIdx]![r]!);
  const nums = raw.map(parseNumber);
  const allNumeric = !a.categorical.has(labelIdx) && nums.every((v) => v !== undefined);
  let type = opts.labelType ?? 'auto';
  if (type === 'auto') type = !allNumeric || nums.every((v) => Number.isInteger(v)) ? 'class' : 'regression';
  if (type === 'regression') {
    if (!allNumeric) {
      const r = nums.indexOf(undefined);
      throw new TypeError(
        `${op}: label column ${JSON.stringify(name)} has the non-numeric value ${JSON.stringify(raw[r])} at row ${a.keep[r]! + 1}; use labelType 'class'`,
      );
    }
    return { y: tensor(Float32Array.from(nums as number[])) };
  }
  const values: (string | number)[] = allNumeric ? (nums as number[]) : raw;
  const enc = new LabelEncoder().fit(values);
  return { y: enc.transform(values), classes: enc.classes, enc };
}

/**
 * Reads CSV into a `CsvDataset`, streaming the text through `parseCsv`: choose the label and
 * feature columns; numeric columns become float32 features, categorical ones are label-encoded
 * or one-hot encoded; missing values are reported by row and column (or dropped / filled).
 * Unknown options and invalid values are errors; a file with a header but no rows is an error
 * naming the file; one-hot encoding is capped by `maxCategories` and the size of x by `maxBytes`.
 */
export async function readCsv(source: TextSource, options?: ReadCsvOptions): Promise<CsvDataset> {
  const opts = checkOptions('readCsv', options, READ_CSV_OPTIONS);
  const name = sourceName(source, opts.name);
  const op = name === undefined ? 'readCsv' : `readCsv: ${name}`;
  const maxCategories = opts.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (maxCategories < 1 || maxBytes < 1)
    throw new RangeError(
      `readCsv: maxCategories and maxBytes must be positive, got ${maxCategories} and ${maxBytes}`,
    );
  const t = await readTable(source, opts, op);
  const resolve = (ref: ColumnRef, what: string): number => {
    const idx = typeof ref === 'number' ? ref : (t.index.get(ref) ?? -1);
    if (!Number.isInteger(idx) || idx < 0 || idx >= t.names.length) {
      throw new RangeError(
        `${op}: ${what} column ${JSON.stringify(ref)} not found (columns: ${listNames(t.names)})`,
      );
    }
    return idx;
  };
  const labelIdx = opts.label === undefined ? -1 : resolve(opts.label, 'label');
  const featIdx = opts.features
    ? opts.features.map((f) => resolve(f, 'feature'))
    : t.names.map((_, i) => i).filter((i) => i !== labelIdx);
  if (featIdx.includes(labelIdx))
    throw new RangeError(
      `${op}: column ${JSON.stringify(t.names[labelIdx])} is both the label and a feature`,
    );
  if (featIdx.length === 0) throw new RangeError(`${op}: no feature columns`);
  const encodingOf = checkEncoding(opts, t, op);
  const a = analyze(t, opts, op, labelIdx >= 0 ? [...featIdx, labelIdx] : featIdx, labelIdx, resolve);

  const encoders = new Map<string, LabelEncoder>();
  const featureNames: string[] = [];
  const columnInfo: CsvColumnInfo[] = [];
  const blocks: Block[] = [];
  for (const c of featIdx) {
    const col = t.names[c]!;
    if (a.categorical.has(c)) {
      const encoding = encodingOf(col);
      const cat = categoricalBlock(col, t.columns[c]!, a, encoding, maxCategories, op);
      encoders.set(col, cat.enc);
      columnInfo.push({ name: col, kind: 'categorical', categories: cat.enc.classes, encoding });
      featureNames.push(...cat.names);
      blocks.push(cat.block);
    } else {
      featureNames.push(col);
      columnInfo.push({ name: col, kind: 'numeric' });
      blocks.push(numericBlock(t.columns[c]!, a));
    }
  }
  const width = blocks.reduce((s, b) => s + b.width, 0);
  const bytes = a.keep.length * width * 4;
  if (bytes > maxBytes)
    throw new RangeError(
      `${op}: x would be [${a.keep.length}, ${width}] float32 (${bytes} bytes), over maxBytes (${maxBytes}): pass a larger maxBytes, or label-encode wide categorical columns`,
    );
  const xData = new Float32Array(a.keep.length * width);
  a.keep.forEach((r, i) => {
    let at = i * width;
    for (const b of blocks) {
      b.fill(r, xData, at);
      at += b.width;
    }
  });
  const x = tensor(xData, { shape: [a.keep.length, width] });
  let y: Tensor | undefined;
  let classes: (string | number)[] | undefined;
  if (labelIdx >= 0) {
    const label = encodeLabel(t, labelIdx, a, opts, op);
    y = label.y;
    classes = label.classes;
    if (label.enc) encoders.set(t.names[labelIdx]!, label.enc);
  }
  const { missing, droppedRows } = a;
  return new CsvDataset({ x, y, featureNames, columnInfo, classes, encoders, missing, droppedRows });
}

/** Checks the `encoding` option (values, and that its keys are columns); returns the lookup. */
function checkEncoding(opts: ReadCsvOptions, t: Table, op: string): (name: string) => 'oneHot' | 'label' {
  const e = opts.encoding ?? 'oneHot';
  const valid = (v: unknown, what: string) => {
    if (v !== 'oneHot' && v !== 'label')
      throw new RangeError(
        `${op}: encoding of ${what} must be 'oneHot' or 'label', got ${JSON.stringify(v)}`,
      );
  };
  if (typeof e === 'string') return () => e;
  for (const [k, v] of Object.entries(e)) {
    if (!t.index.has(k)) {
      const guess = suggestOption(k, t.names);
      throw new RangeError(
        `${op}: encoding names the column ${JSON.stringify(k)}, which is not in the file${guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`} (columns: ${listNames(t.names)})`,
      );
    }
    valid(v, JSON.stringify(k));
  }
  return (name) => e[name] ?? 'oneHot';
}
