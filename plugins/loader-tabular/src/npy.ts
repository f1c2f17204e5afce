import { ImdadError } from '@imdad/core';

/** One array read from a `.npy` file (or a `.npz` entry), converted to float32, row-major. */
export interface NpyArray {
  /** The values in C (row-major) order, whatever order the file stored them in. */
  readonly data: Float32Array;
  /** The array's dimensions, as the header gives them. */
  readonly shape: number[];
  /** The dtype as the file spelled it (`<f8`, `|u1`, `>i4` ...). */
  readonly dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const FLOAT32_MAX = 3.4028234663852886e38;

export type ValueKind = 'f' | 'i' | 'u' | 'b';

/** How one value of a dtype is stored. */
export interface Dtype {
  readonly kind: ValueKind;
  readonly itemSize: number;
  readonly littleEndian: boolean;
}

function fail(source: string, message: string): never {
  throw new ImdadError('input', `${source}: ${message}`);
}

/** Bytes a `.npy` file needs before its header can be read: magic, version and header length. */
export const NPY_PREAMBLE_BYTES = 12;

/** What a `.npy` header says: how to read the values that follow it. */
export interface NpyHeader {
  /** The dtype as the file spelled it. */
  readonly descr: string;
  readonly shape: number[];
  readonly fortranOrder: boolean;
  /** Offset of the first value. */
  readonly dataStart: number;
  /** Number of values the shape announces. */
  readonly count: number;
  /** Bytes per value. */
  readonly itemSize: number;
  readonly dtype: Dtype;
}

/**
 * Where the values of a `.npy` file start, read from its first
 * {@link NPY_PREAMBLE_BYTES} bytes; for bytes that are not a `.npy` preamble,
 * their length (so that {@link parseNpyHeader} on them says what is wrong).
 */
export function npyDataStart(preamble: Uint8Array): number {
  const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  if (preamble.length >= 10 && preamble[6] === 1) return 10 + view.getUint16(8, true);
  if (preamble.length >= 12 && (preamble[6] === 2 || preamble[6] === 3)) return 12 + view.getUint32(8, true);
  return preamble.length;
}

/**
 * Reads the header of a `.npy` file from its first bytes: all of them, or at
 * least the preamble plus the header length the preamble announces.
 */
export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(source, 'not a .npy file (it does not start with the \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(source, 'truncated .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    fail(source, `unsupported .npy format version ${major}.${minor} (supported: 1.x, 2.x, 3.x)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    fail(source, `truncated .npy header (it announces ${headerLength} bytes, ${bytes.length - headerStart} are there)`);
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);

  const header = parseHeader(headerText, source);
  const dtype = parseDescr(header.descr, source);
  const shape = header.shape;

  // Count the elements without trusting the header: a hostile shape must not drive an allocation.
  let count = 1;
  for (const dim of shape) {
    count *= dim;
    if (!Number.isSafeInteger(count)) fail(source, `shape (${shape.join(', ')}) is too large`);
  }
  if (!Number.isSafeInteger(count * dtype.itemSize)) fail(source, `shape (${shape.join(', ')}) is too large`);
  return { descr: header.descr as string, shape, fortranOrder: header.fortranOrder, dataStart, count, itemSize: dtype.itemSize, dtype };
}

/** Fails unless exactly the bytes the header announces follow it. */
export function checkNpyDataLength(header: NpyHeader, available: number, source: string): void {
  const expected = header.count * header.itemSize;
  const what = `shape (${header.shape.join(', ')}) of ${header.descr}`;
  if (available < expected) fail(source, `truncated .npy data: ${what} needs ${expected} bytes, only ${available} are there`);
  if (available > expected) fail(source, `corrupt .npy data: ${what} needs ${expected} bytes, but ${available} follow the header`);
}

/** `count` values as float32, decoded from `bytes` (in file order, starting at `offset`). */
export function decodeNpyValues(header: NpyHeader, bytes: Uint8Array, offset: number, count: number): Float32Array {
  return decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset, count, header.dtype);
}

/**
 * Reads the NumPy `.npy` format (versions 1, 2 and 3) holding any numeric
 * dtype, in either byte order and either memory order, into float32 values in
 * row-major order. Anything else (pickled objects, strings, complex, structured
 * records, truncated or corrupt bytes) fails with an `ImdadError` of kind
 * `input` whose message starts with `source`.
 */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const header = parseNpyHeader(bytes, source);
  checkNpyDataLength(header, bytes.length - header.dataStart, source);
  const flat = decodeNpyValues(header, bytes, header.dataStart, header.count);
  const data = header.fortranOrder && header.shape.length > 1 ? fortranToC(flat, header.shape) : flat;
  return { data, shape: header.shape, dtype: header.descr };
}

// ---------------------------------------------------------------------------------------------
// Header: a Python dict literal, e.g. {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }

interface Header {
  readonly descr: unknown;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

function parseHeader(text: string, source: string): Header {
  let value: unknown;
  try {
    value = new PyLiteralParser(text).parseTop();
  } catch (err) {
    fail(source, `bad .npy header: ${(err as Error).message}`);
  }
  if (!(value instanceof Map)) fail(source, 'bad .npy header: it is not a dictionary');
  const dict: Map<unknown, unknown> = value;
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!dict.has(key)) fail(source, `bad .npy header: the key '${key}' is missing`);
  }
  const fortranOrder = dict.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') fail(source, "bad .npy header: 'fortran_order' is not True or False");
  const shapeValue = dict.get('shape');
  if (!Array.isArray(shapeValue)) fail(source, "bad .npy header: 'shape' is not a tuple");
  const shape: number[] = [];
  for (const dim of shapeValue) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      fail(source, "bad .npy header: 'shape' must hold non-negative integers");
    }
    shape.push(dim);
  }
  return { descr: dict.get('descr'), fortranOrder, shape };
}

/** Just enough of Python's literal syntax for .npy headers: dict, tuple, list, str, int, True/False/None. */
class PyLiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseTop(): unknown {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos !== this.text.length) throw new Error(`unexpected ${this.describeHere()}`);
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private describeHere(): string {
    return this.pos >= this.text.length ? 'end of header' : `character '${this.text[this.pos]}' at ${this.pos}`;
  }

  private parseValue(depth = 0): unknown {
    if (depth > 32) throw new Error('nested too deeply');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.parseDict(depth);
    if (c === '(') return this.parseSequence(')', depth);
    if (c === '[') return this.parseSequence(']', depth);
    if (c === "'" || c === '"') return this.parseString();
    if (c !== undefined && /[-+0-9]/.test(c)) return this.parseInt();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    throw new Error(`unexpected ${this.describeHere()}`);
  }

  private parseDict(depth: number): Map<unknown, unknown> {
    const dict = new Map<unknown, unknown>();
    this.pos++; // {
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return dict;
      }
      const key = this.parseValue(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw new Error(`expected ':' but found ${this.describeHere()}`);
      this.pos++;
      dict.set(key, this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') throw new Error(`expected ',' or '}' but found ${this.describeHere()}`);
    }
  }

  private parseSequence(close: string, depth: number): unknown[] {
    const items: unknown[] = [];
    this.pos++; // ( or [
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) throw new Error(`expected ',' or '${close}' but found ${this.describeHere()}`);
    }
  }

  private parseString(): string {
    const quote = this.text[this.pos++];
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === quote) return out;
      if (c === '\\') {
        const next = this.text[this.pos++];
        if (next === undefined) break;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else {
        out += c;
      }
    }
    throw new Error('unterminated string');
  }

  private parseInt(): number {
    // Python 2 wrote longs with an `L` suffix: (3L, 4L).
    const match = /^[-+]?[0-9]{1,20}L?/.exec(this.text.slice(this.pos, this.pos + 40));
    if (!match) throw new Error(`bad number at ${this.pos}`);
    this.pos += match[0].length;
    if (/[0-9.eEjJ]/.test(this.text[this.pos] ?? '')) throw new Error(`unexpected non-integer number at ${this.pos}`);
    return Number(match[0].endsWith('L') ? match[0].slice(0, -1) : match[0]);
  }
}

// ---------------------------------------------------------------------------------------------
// dtype

function parseDescr(descr: unknown, source: string): Dtype {
  if (Array.isArray(descr)) {
    fail(source, `structured dtypes (record arrays with named fields) are not supported; save a plain numeric array`);
  }
  if (typeof descr !== 'string') fail(source, "bad .npy header: 'descr' is not a string");
  const match = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  if (!match) fail(source, `unsupported dtype '${descr}'; only numeric and boolean arrays are supported`);
  const [, order, code, sizeText] = match;
  const size = sizeText === '' ? NaN : Number(sizeText);
  // '=' is native order; every platform Node runs on in practice is little-endian.
  const littleEndian = order !== '>';
  switch (code) {
    case 'O':
      fail(
        source,
        `object arrays (pickled Python objects) are not supported; save with allow_pickle=False (dtype '${descr}')`,
      );
    case 'U':
    case 'S':
    case 'a':
      fail(source, `string arrays are not supported (dtype '${descr}'); save numeric features`);
    case 'c':
      fail(source, `complex arrays are not supported (dtype '${descr}')`);
    case 'V':
      fail(source, `structured or void arrays are not supported (dtype '${descr}'); save a plain numeric array`);
    case 'M':
    case 'm':
      fail(source, `datetime and timedelta arrays are not supported (dtype '${descr}')`);
    case 'f':
      if (size === 2 || size === 4 || size === 8) return { kind: 'f', itemSize: size, littleEndian };
      break;
    case 'i':
    case 'u':
      if (size === 1 || size === 2 || size === 4 || size === 8) return { kind: code as ValueKind, itemSize: size, littleEndian };
      break;
    case 'b':
    case '?':
      if (size === 1 || (code === '?' && Number.isNaN(size))) return { kind: 'b', itemSize: 1, littleEndian };
      break;
  }
  return fail(source, `unsupported dtype '${descr}'; only numeric and boolean arrays are supported`);
}

// ---------------------------------------------------------------------------------------------
// Values

function decode(view: DataView, offset: number, count: number, dtype: Dtype): Float32Array {
  const out = new Float32Array(count);
  const le = dtype.littleEndian;
  const { kind, itemSize } = dtype;
  let p = offset;
  if (kind === 'f' && itemSize === 8) {
    for (let k = 0; k < count; k++, p += 8) out[k] = view.getFloat64(p, le);
  } else if (kind === 'f' && itemSize === 4) {
    for (let k = 0; k < count; k++, p += 4) out[k] = view.getFloat32(p, le);
  } else if (kind === 'f' && itemSize === 2) {
    for (let k = 0; k < count; k++, p += 2) out[k] = halfToFloat(view.getUint16(p, le));
  } else if (kind === 'i' && itemSize === 8) {
    // hi * 2^32 + lo is exact up to 2^53 and rounds like any other value beyond.
    const lo = le ? 0 : 4;
    const hi = le ? 4 : 0;
    for (let k = 0; k < count; k++, p += 8) out[k] = view.getInt32(p + hi, le) * 4294967296 + view.getUint32(p + lo, le);
  } else if (kind === 'u' && itemSize === 8) {
    const lo = le ? 0 : 4;
    const hi = le ? 4 : 0;
    for (let k = 0; k < count; k++, p += 8) out[k] = view.getUint32(p + hi, le) * 4294967296 + view.getUint32(p + lo, le);
  } else if (kind === 'i' && itemSize === 4) {
    for (let k = 0; k < count; k++, p += 4) out[k] = view.getInt32(p, le);
  } else if (kind === 'u' && itemSize === 4) {
    for (let k = 0; k < count; k++, p += 4) out[k] = view.getUint32(p, le);
  } else if (kind === 'i' && itemSize === 2) {
    for (let k = 0; k < count; k++, p += 2) out[k] = view.getInt16(p, le);
  } else if (kind === 'u' && itemSize === 2) {
    for (let k = 0; k < count; k++, p += 2) out[k] = view.getUint16(p, le);
  } else if (kind === 'i' && itemSize === 1) {
    for (let k = 0; k < count; k++, p++) out[k] = view.getInt8(p);
  } else if (kind === 'u' && itemSize === 1) {
    for (let k = 0; k < count; k++, p++) out[k] = view.getUint8(p);
  } else {
    for (let k = 0; k < count; k++, p++) out[k] = view.getUint8(p) !== 0 ? 1 : 0;
  }
  return out;
}

/** IEEE 754 half precision bits to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Reorders column-major (Fortran) values of `shape` into row-major (C) order. */
function fortranToC(flat: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(flat.length);
  if (shape.length === 2) {
    const [rows, cols] = shape;
    let k = 0;
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) out[i * cols + j] = flat[k++];
    }
    return out;
  }
  // General case: walk the C-order index and keep the matching Fortran offset.
  const ndim = shape.length;
  const fStride = new Array<number>(ndim);
  let s = 1;
  for (let a = 0; a < ndim; a++) {
    fStride[a] = s;
    s *= shape[a];
  }
  const index = new Array<number>(ndim).fill(0);
  let f = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = flat[f];
    for (let a = ndim - 1; a >= 0; a--) {
      index[a]++;
      f += fStride[a];
      if (index[a] < shape[a]) break;
      f -= fStride[a] * shape[a];
      index[a] = 0;
    }
  }
  return out;
}

/** True when `value` survives as a finite float32 (no NaN, no ±Infinity, not beyond float32 range). */
export function isFiniteFloat32(value: number): boolean {
  return value >= -FLOAT32_MAX && value <= FLOAT32_MAX;
}
