import { describeValue } from '../random.js';
import { importNode, isNode } from '../worker-pool.js';

/**
 * Where text comes from: the text itself (a string), bytes, a Blob, a stream or (async) iterable
 * of string/byte chunks, or a URL (file: read from disk in Node, http(s) fetched).
 */
export type TextSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | URL
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<string>;

async function* fromStream(stream: ReadableStream<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* chunksOf(op: string, source: TextSource): AsyncGenerator<Uint8Array | string> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source instanceof ArrayBuffer) {
    yield new Uint8Array(source);
    return;
  }
  if (source instanceof URL) {
    if (source.protocol === 'file:' && isNode()) {
      const fs = await importNode<typeof import('node:fs')>('fs');
      const stream = fs.createReadStream(source);
      try {
        for await (const c of stream) yield c as Uint8Array;
      } catch (e) {
        throw new Error(`${op}: cannot read ${source.href}: ${(e as Error).message}`);
      }
      return;
    }
    const res = await fetch(source);
    if (!res.ok || res.body === null)
      throw new Error(`${op}: GET ${source.href} failed with HTTP ${res.status}`);
    yield* fromStream(res.body);
    return;
  }
  if (typeof Blob === 'function' && source instanceof Blob) {
    yield* fromStream(source.stream());
    return;
  }
  if (typeof ReadableStream === 'function' && source instanceof ReadableStream) {
    yield* fromStream(source);
    return;
  }
  if (
    source !== null &&
    typeof source === 'object' &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    for await (const c of source as AsyncIterable<Uint8Array | string>) {
      if (typeof c !== 'string' && !(c instanceof Uint8Array)) {
        throw new TypeError(`${op}: chunks must be strings or Uint8Arrays, got ${describeValue(c)}`);
      }
      yield c;
    }
    return;
  }
  throw new TypeError(`${op}: cannot read text from ${describeValue(source)}`);
}

/** Decodes a source into string chunks (UTF-8, streaming; a leading byte-order mark is dropped). */
export async function* textChunks(op: string, source: TextSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const c of chunksOf(op, source)) {
    let s = typeof c === 'string' ? c : decoder.decode(c, { stream: true });
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    if (s.length > 0) yield s;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}
