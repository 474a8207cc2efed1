/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Concatenates byte chunks. */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  const n = total ?? chunks.reduce((a, c) => a + c.length, 0);
  if (chunks.length === 1 && chunks[0]!.length === n) return chunks[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Deflate cannot expand a compressed byte into more than 1032 bytes (two bits per 258-byte
 * match), so a header claiming more than this much output for its input is lying or truncated.
 */
export const MAX_INFLATE_RATIO = 1032;

/**
 * Streams the decompressed chunks of gzip data as the platform's `DecompressionStream` produces
 * them. Breaking out of the loop cancels the inflater, so a caller that checks sizes as chunks
 * arrive never holds more than it accepted. Corrupt or truncated input throws an Error naming `name`.
 */
export async function* gunzipChunks(bytes: Uint8Array, name = 'gzip data'): AsyncGenerator<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new Error(
      `gunzip: ${name}: DecompressionStream is not available here (needs Node 18+ or a current browser)`,
    );
  }
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();
  let finished = false;
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        finished = true;
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(`gunzip: ${name}: corrupt or truncated gzip data (${why.slice(0, 200)})`);
      }
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // Stopped early by the consumer: free the inflater now rather than at garbage collection.
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/**
 * Decompresses gzip data with the platform's `DecompressionStream` (browsers, Node 18+; no
 * dependency). Corrupt or truncated input rejects with an Error naming `name`; output larger
 * than `maxBytes` (default 1 GiB) is refused as soon as it exceeds the limit, so a hostile file
 * cannot exhaust memory.
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', maxBytes = 2 ** 30): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of gunzipChunks(bytes, name)) {
    total += chunk.length;
    if (total > maxBytes)
      throw new Error(`gunzip: ${name}: decompresses to more than ${maxBytes} bytes (limit maxBytes)`);
    chunks.push(chunk);
  }
  return concatBytes(chunks, total);
}
