// Bounds on a safetensors header, checked on the raw bytes before `JSON.parse` sees them, so that
// a hostile header can cost no more than a small multiple of its own size (no deep nesting for a
// recursive parser or printer, no huge arrays or key counts that balloon into JS objects).

/** Largest header accepted (the reference implementation's limit is 100 MB). */
export const MAX_HEADER = 100_000_000;
/** Largest tensor rank accepted (PyTorch tensors have at most 64 dims). */
export const MAX_RANK = 64;
/**
 * Default most tensors in one file (model shards hold hundreds to a few thousand; each costs
 * about 1 KB and 20 µs to load). `loadSafetensors`'s `maxEntries` option raises it.
 */
export const MAX_ENTRIES = 8192;
/** A valid header nests 3 levels: {name: {shape: [..]}}. */
const MAX_DEPTH = 3;
/** Longest value echoed in an error message. */
const ECHO = 40;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Scans header bytes (outside strings) for nesting depth, array lengths and key counts; returns
 * why they exceed the bounds, or null. Linear time, constant memory.
 */
export function headerBoundsProblem(b: Uint8Array, maxEntries = MAX_ENTRIES): string | null {
  // Object keys in the whole header: entries' three fields plus metadata keys.
  const maxKeys = 4 * maxEntries + 4096;
  // Element counts per open container: commas seen, whether it is an array, whether non-empty.
  const commas = new Int32Array(MAX_DEPTH + 1);
  const isArray = new Uint8Array(MAX_DEPTH + 1);
  let depth = 0;
  let topKeys = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        break;
      case 0x7b: // {
      case 0x5b: // [
        if (depth === MAX_DEPTH) return `the header nests deeper than ${MAX_DEPTH} levels`;
        depth++;
        commas[depth] = 0;
        isArray[depth] = c === 0x5b ? 1 : 0;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (depth > 0) depth--;
        break;
      case 0x3a: // :  (one per object key)
        keys++;
        if (depth === 1) topKeys++;
        if (topKeys > maxEntries + 1) return `the header has more than ${maxEntries} entries`;
        if (keys > maxKeys) return `the header has more than ${maxKeys} keys`;
        break;
      case 0x2c: // ,
        if (depth > 0 && isArray[depth] === 1 && ++commas[depth]! >= MAX_RANK)
          return `the header has an array longer than ${MAX_RANK} elements (shapes have at most ${MAX_RANK} dims)`;
        break;
    }
  }
  return null;
}

/** A short description of any value for an error message: never recursive, never long. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (Array.isArray(v)) {
    if (v.length > 8 || !v.every((x) => typeof x === 'number')) return `an array of ${v.length} elements`;
    return `[${v.join(',')}]`;
  }
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return clip(String(v));
}

/** `s` cut to a few dozen characters, saying how long it was. */
export function clip(s: string): string {
  return s.length <= ECHO ? s : `${s.slice(0, ECHO)}… (${s.length} chars)`;
}
