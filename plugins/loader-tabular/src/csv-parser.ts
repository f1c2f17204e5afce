import { ImdadError } from '@imdad/core';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** Receives each record (its cells) and the line it starts on (1-based). */
export type CsvRecordHandler = (cells: string[], line: number) => void;

/**
 * An incremental RFC 4180 CSV tokenizer: feed it text in pieces of any size
 * (a quoted field, a CRLF or an escaped quote may be split between pieces)
 * and it hands over whole records.
 *
 * - Fields are separated by `,`, records by LF, CRLF or CR; a final line
 *   break is optional.
 * - A field that starts with `"` is quoted: it may hold commas and line
 *   breaks, and `""` stands for one `"`. A `"` inside an unquoted field is
 *   kept as it is.
 * - A leading byte-order mark is dropped; completely empty lines are skipped.
 */
export class CsvRecordParser {
  private cells: string[] = [];
  private cell = '';
  private cellStarted = false;
  private cellQuoted = false;
  private recordQuoted = false;
  private inQuotes = false;
  /** Saw a `"` inside a quoted field: the next character decides between `""` and the closing quote. */
  private quotePending = false;
  /** Saw a CR: a LF right after it belongs to the same line break. */
  private skipLF = false;
  private atStart = true;
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;

  constructor(
    private readonly source: string,
    private readonly onRecord: CsvRecordHandler,
  ) {}

  /** Feeds the next piece of text; `onRecord` is called for every record it completes. */
  write(text: string): void {
    const n = text.length;
    if (n === 0) return;
    let i = 0;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === BOM) i = 1;
    }
    while (i < n) {
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (text.charCodeAt(i) === QUOTE) {
            this.cell += '"';
            i++;
          } else {
            this.inQuotes = false; // that was the closing quote; read this character as unquoted
          }
          continue;
        }
        const q = text.indexOf('"', i);
        const end = q === -1 ? n : q;
        const segment = text.slice(i, end);
        this.cell += segment;
        for (let k = segment.indexOf('\n'); k !== -1; k = segment.indexOf('\n', k + 1)) this.line++;
        if (q === -1) {
          i = n;
        } else {
          this.quotePending = true;
          i = q + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.skipLF) {
        this.skipLF = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (c === COMMA) {
        this.endCell();
        i++;
      } else if (c === LF || c === CR) {
        this.endCell();
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        this.skipLF = c === CR;
        i++;
      } else if (c === QUOTE && !this.cellStarted) {
        this.inQuotes = true;
        this.cellStarted = true;
        this.cellQuoted = true;
        this.quoteLine = this.line;
        i++;
      } else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR) break;
          j++;
        }
        this.cell += text.slice(i, j);
        this.cellStarted = true;
        i = j;
      }
    }
  }

  /** Ends the input: hands over a last record without a line break, or fails on an open quote. */
  end(): void {
    if (this.inQuotes && !this.quotePending) {
      throw new ImdadError(
        'input',
        `${this.source}: line ${this.quoteLine}: a quoted field is never closed (missing '"')`,
      );
    }
    this.inQuotes = false;
    this.quotePending = false;
    if (this.cellStarted || this.cells.length > 0) {
      this.endCell();
      this.endRecord();
    }
  }

  private endCell(): void {
    this.cells.push(this.cell);
    this.cell = '';
    this.cellStarted = false;
    if (this.cellQuoted) this.recordQuoted = true;
    this.cellQuoted = false;
  }

  private endRecord(): void {
    const cells = this.cells;
    const quoted = this.recordQuoted;
    this.cells = [];
    this.recordQuoted = false;
    if (cells.length === 1 && cells[0] === '' && !quoted) return; // empty line
    this.onRecord(cells, this.recordLine);
  }
}
