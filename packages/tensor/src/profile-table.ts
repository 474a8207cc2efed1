/**
 * The text table of a profile, laid out as PyTorch's `prof.key_averages().table()`: right-aligned
 * columns of width 12 separated by two spaces, the name column as wide as the longest name plus 4
 * (at most 55, longer names cut with `...`), times in us/ms/s with 3 decimals, memory in b/Kb/Mb/Gb.
 */

/** One row of a profile: an op name and its calls' totals (see `profile`). */
export interface ProfileRow {
  /** The op name as `runOp` saw it, e.g. `'matmul'`, `'add_'`. */
  readonly name: string;
  /** Calls of the op. */
  readonly count: number;
  /** Milliseconds spent in its calls, ops they ran inside included. */
  readonly totalMs: number;
  /** `totalMs` less the time spent in ops run inside its calls (nested ops). */
  readonly selfMs: number;
  /** Bytes of the new storages its calls made (returned, or handed to nested ops), nested ops' included. */
  readonly bytesAllocated: number;
  /** `bytesAllocated` less what nested ops allocated. */
  readonly selfBytesAllocated: number;
}

/** The order of `table()`'s rows (largest first). */
export type ProfileSortKey = 'totalMs' | 'selfMs' | 'count' | 'bytesAllocated' | 'selfBytesAllocated';

/** Options of `ProfileResult.table()`. */
export interface ProfileTableOptions {
  /** The column to sort by, largest first (default `'totalMs'`); ties keep name order. */
  readonly sortBy?: ProfileSortKey;
  /** At most this many rows (default: all). */
  readonly rowLimit?: number;
}

const SORT_KEYS: readonly ProfileSortKey[] = [
  'totalMs',
  'selfMs',
  'count',
  'bytesAllocated',
  'selfBytesAllocated',
];
const COLUMN = 12;
const SPACING = 2;
const MAX_NAME = 55;
const HEADERS = [
  'Name',
  'Self CPU %',
  'Self CPU',
  'CPU total %',
  'CPU total',
  'CPU time avg',
  'Mem',
  'Self Mem',
  '# of Calls',
];

/** A duration in microseconds as PyTorch prints it: `'12.500us'`, `'1.234ms'`, `'2.000s'`. */
export function formatTime(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(3)}s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(3)}ms`;
  return `${us.toFixed(3)}us`;
}

/** A byte count as PyTorch prints it: `'24 b'`, `'1.50 Kb'`, `'3.00 Mb'`, `'1.00 Gb'`. */
export function formatMemory(bytes: number): string {
  const KB = 1024;
  const MB = 1024 * KB;
  const GB = 1024 * MB;
  const a = Math.abs(bytes);
  if (a >= GB) return `${(bytes / GB).toFixed(2)} Gb`;
  if (a >= MB) return `${(bytes / MB).toFixed(2)} Mb`;
  if (a >= KB) return `${(bytes / KB).toFixed(2)} Kb`;
  return `${bytes} b`;
}

function share(ms: number, totalMs: number): string {
  return totalMs === 0 ? 'NaN' : `${((ms * 100) / totalMs).toFixed(2)}%`;
}

function checkTableOptions(opts: ProfileTableOptions): { sortBy: ProfileSortKey; rowLimit: number } {
  if (typeof opts !== 'object' || opts === null)
    throw new TypeError('profile table: options must be an object');
  for (const k of Object.keys(opts)) {
    if (k !== 'sortBy' && k !== 'rowLimit')
      throw new TypeError(`profile table: unknown option '${k}' (expected sortBy, rowLimit)`);
  }
  const sortBy = opts.sortBy ?? 'totalMs';
  if (!SORT_KEYS.includes(sortBy))
    throw new TypeError(
      `profile table: sortBy must be one of ${SORT_KEYS.join(', ')}, got ${String(sortBy)}`,
    );
  const rowLimit = opts.rowLimit ?? Number.POSITIVE_INFINITY;
  if (!(rowLimit === Number.POSITIVE_INFINITY || (Number.isInteger(rowLimit) && rowLimit >= 0)))
    throw new TypeError(`profile table: rowLimit must be a non-negative integer, got ${String(rowLimit)}`);
  return { sortBy, rowLimit };
}

/** Rows sorted by `key`, largest first, ties by name. */
export function sortRows(rows: readonly ProfileRow[], key: ProfileSortKey): ProfileRow[] {
  return [...rows].sort((a, b) => b[key] - a[key] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The table of `rows` (see the file comment). Percentages are of the sum of all rows' self
 * times, which the last line prints, as PyTorch does.
 */
export function formatProfileTable(rows: readonly ProfileRow[], opts: ProfileTableOptions = {}): string {
  const { sortBy, rowLimit } = checkTableOptions(opts);
  const selfTotalMs = rows.reduce((s, r) => s + r.selfMs, 0);
  const shown = sortRows(rows, sortBy).slice(0, rowLimit);
  const nameWidth = Math.min(Math.max(0, ...shown.map((r) => r.name.length)) + 4, MAX_NAME);
  const widths = HEADERS.map((_, i) => (i === 0 ? nameWidth : COLUMN));
  const gap = ' '.repeat(SPACING);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padStart(widths[i]!) + gap).join('');
  const sep = widths.map((w) => '-'.repeat(w) + gap).join('');
  const out = [sep, line(HEADERS), sep];
  for (const r of shown) {
    const name = r.name.length >= MAX_NAME - 3 ? `${r.name.slice(0, MAX_NAME - 3)}...` : r.name;
    out.push(
      line([
        name,
        share(r.selfMs, selfTotalMs),
        formatTime(r.selfMs * 1e3),
        share(r.totalMs, selfTotalMs),
        formatTime(r.totalMs * 1e3),
        formatTime(r.count === 0 ? 0 : (r.totalMs * 1e3) / r.count),
        formatMemory(r.bytesAllocated),
        formatMemory(r.selfBytesAllocated),
        String(r.count),
      ]),
    );
  }
  out.push(sep, `Self CPU time total: ${formatTime(selfTotalMs * 1e3)}`);
  return `${out.join('\n')}\n`;
}
