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
 * Decompresses gzip data with the platform's `DecompressionStream` (browsers, Node 18+; no
 * dependency). Corrupt or truncated input rejects with an Error naming `name`; output larger
 * than `maxBytes` (default 1 GiB) is refused, so a hostile file cannot exhaust memory.
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', maxBytes = 2 ** 30): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new Error(
      `gunzip: ${name}: DecompressionStream is not available here (needs Node 18+ or a current browser)`,
    );
  }
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new Error(`gunzip: ${name}: decompresses to more than ${maxBytes} bytes (limit maxBytes)`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('gunzip:')) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`gunzip: ${name}: corrupt or truncated gzip data (${why})`);
  }
  return concatBytes(chunks, total);
}
