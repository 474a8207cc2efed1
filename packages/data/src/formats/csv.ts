import { checkOptions } from '@tessera/tensor';
import { type TextSource, textChunks } from './text-source.js';

/** One parsed CSV record: its fields and the (1-based) line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Options of the CSV parser. */
export interface CsvParseOptions {
  /** Field separator, one character (default ','). */
  delimiter?: string;
  /** Quote character (default '"'). */
  quote?: string;
}

enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * Incremental RFC 4180 parser: feed text in chunks of any size with `push`, then `end`. Fields
 * may be quoted; quoted fields may hold delimiters, newlines and doubled quotes (""). Records
 * end at LF, CRLF or CR; blank lines are skipped. Errors name the line and column.
 */
export class CsvParser {
  private readonly delim: number;
  private readonly quote: number;
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private col = 0;
  private recordLine = 1;
  private quoteLine = 0;
  private quoteCol = 0;
  private afterCR = false;
  private out: CsvRecord[] = [];

  constructor(options?: CsvParseOptions) {
    const opts = checkOptions('CsvParser', options, { delimiter: 'string', quote: 'string' });
    const d = opts.delimiter ?? ',';
    const q = opts.quote ?? '"';
    if (d.length !== 1 || q.length !== 1 || d === q || d === '\n' || d === '\r' || q === '\n' || q === '\r') {
      throw new RangeError(
        `CsvParser: delimiter and quote must be two different single characters other than newlines, got ${JSON.stringify(d)} and ${JSON.stringify(q)}`,
      );
    }
    this.delim = d.charCodeAt(0);
    this.quote = q.charCodeAt(0);
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(): void {
    this.endField();
    const blank = this.fields.length === 1 && this.fields[0] === '' && this.state === State.FieldStart;
    if (!blank || this.wasQuoted) this.out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
    this.wasQuoted = false;
  }

  private wasQuoted = false;

  /** Parses a chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.afterCR) {
        this.afterCR = false;
        if (c === 10) {
          i++;
          continue;
        }
      }
      const startOfRecord = this.state === State.FieldStart && this.fields.length === 0 && this.field === '';
      if (startOfRecord) this.recordLine = this.line;
      switch (this.state) {
        case State.FieldStart:
        case State.Unquoted: {
          if (c === this.quote && this.state === State.FieldStart) {
            this.state = State.Quoted;
            this.wasQuoted = true;
            this.quoteLine = this.line;
            this.quoteCol = this.col + 1;
            i++;
            this.col++;
            break;
          }
          // Fast path: consume a run of ordinary characters.
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === this.delim || d === 10 || d === 13) break;
            j++;
          }
          if (j > i) {
            this.field += chunk.slice(i, j);
            this.col += j - i;
            this.state = State.Unquoted;
            i = j;
            break;
          }
          i++;
          if (c === this.delim) {
            this.col++;
            this.endField();
          } else {
            this.endRecord();
            this.line++;
            this.col = 0;
            if (c === 13) this.afterCR = true;
          }
          break;
        }
        case State.Quoted: {
          const j = chunk.indexOf(String.fromCharCode(this.quote), i);
          const end = j < 0 ? n : j;
          const text = chunk.slice(i, end);
          this.field += text;
          this.advance(text);
          i = end;
          if (j >= 0) {
            this.state = State.QuoteInQuoted;
            i++;
            this.col++;
          }
          break;
        }
        case State.QuoteInQuoted: {
          if (c === this.quote) {
            this.field += chunk[i];
            this.state = State.Quoted;
            i++;
            this.col++;
          } else if (c === this.delim) {
            i++;
            this.col++;
            this.endField();
          } else if (c === 10 || c === 13) {
            i++;
            this.endRecord();
            this.line++;
            this.col = 0;
            if (c === 13) this.afterCR = true;
          } else {
            throw new SyntaxError(
              `CSV: line ${this.line}, column ${this.col + 1}: unexpected ${JSON.stringify(chunk[i])} after the closing quote of a quoted field (a quote inside a quoted field must be doubled)`,
            );
          }
          break;
        }
      }
    }
    const done = this.out;
    this.out = [];
    return done;
  }

  /** Tracks line/column through text inside a quoted field (which may hold newlines). */
  private advance(text: string): void {
    let at = text.indexOf('\n');
    if (at < 0) {
      this.col += text.length;
      return;
    }
    let last = at;
    let lines = 0;
    while (at >= 0) {
      lines++;
      last = at;
      at = text.indexOf('\n', at + 1);
    }
    this.line += lines;
    this.col = text.length - last - 1;
  }

  /** Finishes: returns the last record (if the text did not end with a newline). */
  end(): CsvRecord[] {
    if (this.state === State.Quoted) {
      throw new SyntaxError(
        `CSV: line ${this.quoteLine}, column ${this.quoteCol}: quoted field is never closed (unexpected end of input)`,
      );
    }
    if (this.state !== State.FieldStart || this.fields.length > 0 || this.field !== '' || this.wasQuoted)
      this.endRecord();
    const done = this.out;
    this.out = [];
    return done;
  }
}

/**
 * Streams the records of CSV text from any `TextSource` (a string of CSV text, bytes, a Blob, a
 * stream, chunks, or a URL), parsing as chunks arrive.
 */
export async function* parseCsv(source: TextSource, opts: CsvParseOptions = {}): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(opts);
  for await (const chunk of textChunks('parseCsv', source)) yield* parser.push(chunk);
  yield* parser.end();
}
