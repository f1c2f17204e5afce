import { gunzipSync } from 'node:zlib';
import { ImdadError } from '@imdad/core';

/**
 * The IDX format (LeCun's MNIST files): a 4-byte magic number (two zero
 * bytes, a type code, the number of dimensions), one big-endian uint32 per
 * dimension, then the values row-major. Only unsigned bytes (type 0x08) are read.
 */
export const IDX_UNSIGNED_BYTE = 0x08;

/** What an IDX file holds: images (count, rows, columns) or labels (count). */
export type IdxKind = 'images' | 'labels';

const RANK: Record<IdxKind, number> = { images: 3, labels: 1 };
const DIMENSION_NAMES: Record<IdxKind, string> = { images: 'count, rows, columns', labels: 'count' };

/** The parsed header of an IDX file. */
export interface IdxHeader {
  /** The dimensions, outermost first (count, then rows and columns for images). */
  readonly dims: readonly number[];
  /** Bytes before the values: 4 + 4 per dimension. */
  readonly size: number;
}

function fail(file: string, message: string): never {
  throw new ImdadError('input', `${file}: ${message}`);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** True when `bytes` start like gzip data. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The file's bytes, gunzipped when they are gzip data; a `.gz` name on other data is an error. */
export function decompress(bytes: Uint8Array, file: string): Uint8Array {
  if (isGzip(bytes)) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      fail(file, `damaged gzip data (${(error as Error).message}); download the file again`);
    }
  }
  if (file.toLowerCase().endsWith('.gz')) fail(file, 'is named .gz but does not hold gzip data');
  return bytes;
}

/**
 * Reads and checks the header of an IDX file of the given kind, from its first
 * bytes (at least 4 + 4 per dimension of them, or all there are).
 */
export function parseIdxHeader(bytes: Uint8Array, file: string, kind: IdxKind): IdxHeader {
  const rank = RANK[kind];
  const expectedMagic = (IDX_UNSIGNED_BYTE << 8) | rank;
  if (bytes.length < 4) fail(file, `is ${bytes.length} bytes long, too short for an IDX header; not an IDX ${kind} file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(file, `bad magic number ${hex(magic)}; an IDX ${kind} file starts with ${hex(expectedMagic)}`);
  }
  if (bytes[2] !== IDX_UNSIGNED_BYTE) {
    fail(file, `holds IDX values of type 0x${bytes[2].toString(16).padStart(2, '0')}; only unsigned bytes (0x08) are supported`);
  }
  if (bytes[3] !== rank) {
    fail(file, `has ${bytes[3]} dimensions; an IDX ${kind} file has ${rank} (${DIMENSION_NAMES[kind]})`);
  }
  const size = 4 + 4 * rank;
  if (bytes.length < size) fail(file, `is truncated: its header needs ${size} bytes, the file has ${bytes.length}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  if (kind === 'images' && (dims[1] === 0 || dims[2] === 0)) {
    fail(file, `has wrong dimensions ${dims.join(' x ')}: images of ${dims[1]} x ${dims[2]} pixels`);
  }
  return { dims, size };
}

/** Values one header announces. */
export function idxValueCount(header: IdxHeader): number {
  return header.dims.reduce((a, b) => a * b, 1);
}

/** Fails unless the file holds exactly the values its header announces. */
export function checkIdxLength(header: IdxHeader, dataBytes: number, file: string): void {
  const expected = idxValueCount(header);
  if (dataBytes < expected) {
    fail(file, `is truncated: ${dataBytes} bytes of data, its header announces ${header.dims.join(' x ')} = ${expected}`);
  }
  if (dataBytes > expected) {
    fail(file, `has ${dataBytes - expected} bytes beyond the ${header.dims.join(' x ')} values its header announces; the file is damaged`);
  }
}

/** A whole (already decompressed) IDX file: its dimensions and values. */
export function parseIdx(
  bytes: Uint8Array,
  file: string,
  kind: IdxKind,
): {
  /** The dimensions, outermost first (count, then rows and columns for images). */
  dims: readonly number[];
  /** The values, row-major. */
  values: Uint8Array;
} {
  const header = parseIdxHeader(bytes, file, kind);
  checkIdxLength(header, bytes.length - header.size, file);
  return { dims: header.dims, values: bytes.subarray(header.size) };
}
