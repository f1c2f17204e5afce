import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import { ImdadError } from '@imdad/core';
import { parseNpy, type NpyArray } from './npy.js';

/** One member of a ZIP archive, as its central directory describes it. */
export interface ZipEntry {
  /** The member's file name in the archive. */
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  /** General-purpose bit flags; imdad reads encryption (0x1, 0x40) and UTF-8 names (0x800) from them. */
  readonly flags: number;
  /** CRC-32 of the uncompressed contents. */
  readonly crc32: number;
  /** Size in bytes as stored in the archive. */
  readonly compressedSize: number;
  /** Size in bytes once decompressed. */
  readonly uncompressedSize: number;
  /** Offset of the member's local file header from the start of the archive. */
  readonly localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

function fail(source: string, message: string): never {
  throw new ImdadError('input', `${source}: ${message}`);
}

/**
 * Reads a NumPy `.npz` file (a ZIP archive of `.npy` files, stored or
 * deflated, ZIP64 included) into its arrays, keyed by member name without
 * `.npy`. With `only`, just those arrays are decoded (others are skipped, so
 * an unrelated unsupported member does not fail the read).
 */
export function readNpz(bytes: Uint8Array, source: string, only?: readonly string[]): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  const wanted = only ? new Set(only) : undefined;
  for (const entry of readZipDirectory(bytes, source)) {
    if (entry.name.endsWith('/') || !entry.name.endsWith('.npy')) continue;
    const name = entry.name.slice(0, -'.npy'.length);
    if (wanted && !wanted.has(name)) continue;
    if (arrays.has(name)) fail(source, `holds two arrays named '${name}'`);
    arrays.set(name, parseNpy(extractZipEntry(bytes, entry, source), `${source} [${entry.name}]`));
  }
  return arrays;
}

/** The entries of a ZIP archive's central directory, validated against the archive's size. */
export function readZipDirectory(bytes: Uint8Array, source: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  const u64 = (offset: number): number => {
    const value = view.getUint32(offset + 4, true) * 0x100000000 + view.getUint32(offset, true);
    if (!Number.isSafeInteger(value)) fail(source, 'corrupt ZIP64 record (a size or offset is too large)');
    return value;
  };

  // End of central directory record: 22 bytes plus a comment of up to 65535 bytes, at the very end.
  let eocd = -1;
  for (let p = length - 22; p >= 0 && p >= length - 22 - U16_MAX; p--) {
    if (view.getUint32(p, true) === SIG_EOCD && p + 22 + view.getUint16(p + 20, true) <= length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) {
    fail(source, 'not a valid .npz file (no ZIP end-of-central-directory record; the file may be truncated)');
  }
  let diskNumber = view.getUint16(eocd + 4, true);
  let cdDisk = view.getUint16(eocd + 6, true);
  let entryCount = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);

  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === SIG_ZIP64_LOCATOR) {
    const zip64Eocd = u64(locator + 8);
    if (zip64Eocd + 56 > locator || view.getUint32(zip64Eocd, true) !== SIG_ZIP64_EOCD) {
      fail(source, 'corrupt ZIP64 end-of-central-directory record');
    }
    diskNumber = view.getUint32(zip64Eocd + 16, true);
    cdDisk = view.getUint32(zip64Eocd + 20, true);
    entryCount = u64(zip64Eocd + 32);
    cdSize = u64(zip64Eocd + 40);
    cdOffset = u64(zip64Eocd + 48);
  } else if (entryCount === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
    fail(source, 'corrupt ZIP64 archive (the ZIP64 end-of-central-directory locator is missing)');
  }
  if (diskNumber !== 0 || cdDisk !== 0) fail(source, 'multi-part (spanned) ZIP archives are not supported');
  if (cdOffset + cdSize > length) {
    fail(source, 'truncated .npz file (its ZIP central directory lies beyond the end of the file)');
  }

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < entryCount; i++) {
    if (p + 46 > cdEnd || view.getUint32(p, true) !== SIG_CENTRAL) {
      fail(source, `corrupt ZIP central directory (entry ${i + 1} of ${entryCount} is damaged)`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let uncompressedSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > cdEnd) fail(source, `corrupt ZIP central directory (entry ${i + 1} runs past its end)`);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(nameStart, extraStart));

    // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
    if (uncompressedSize === U32_MAX || compressedSize === U32_MAX || localHeaderOffset === U32_MAX) {
      let q = extraStart;
      const extraEnd = extraStart + extraLength;
      let found = false;
      while (q + 4 <= extraEnd) {
        const id = view.getUint16(q, true);
        const size = view.getUint16(q + 2, true);
        const dataEnd = q + 4 + size;
        if (dataEnd > extraEnd) break;
        if (id === 0x0001) {
          let r = q + 4;
          const take = (): number => {
            if (r + 8 > dataEnd) fail(source, `corrupt ZIP64 field for '${name}'`);
            const value = u64(r);
            r += 8;
            return value;
          };
          if (uncompressedSize === U32_MAX) uncompressedSize = take();
          if (compressedSize === U32_MAX) compressedSize = take();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = take();
          found = true;
          break;
        }
        q = dataEnd;
      }
      if (!found) fail(source, `corrupt ZIP entry '${name}' (its ZIP64 sizes are missing)`);
    }
    entries.push({ name, method, flags, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    p = next;
  }
  return entries;
}

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntry, source: string): Uint8Array {
  const what = `'${entry.name}'`;
  if (entry.flags & 0x1 || entry.flags & 0x40) {
    fail(source, `entry ${what} is encrypted; encrypted archives are not supported`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== SIG_LOCAL) {
    fail(source, `corrupt or truncated .npz file (the local header of ${what} is missing)`);
  }
  const dataStart = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > bytes.length) {
    fail(
      source,
      `truncated .npz file (${what} needs ${entry.compressedSize} bytes, ${Math.max(0, bytes.length - dataStart)} are there)`,
    );
  }
  const raw = bytes.subarray(dataStart, dataEnd);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      fail(source, `corrupt ZIP entry ${what} (stored, but its sizes differ)`);
    }
    data = raw;
  } else if (entry.method === 8) {
    if (entry.uncompressedSize > bufferConstants.MAX_LENGTH) {
      fail(source, `entry ${what} is too large (${entry.uncompressedSize} bytes uncompressed)`);
    }
    try {
      // The limit keeps a forged archive from inflating past the size it declares.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (err) {
      fail(source, `cannot inflate ${what}: ${(err as Error).message} (the file may be corrupt or truncated)`);
    }
    if (data.length !== entry.uncompressedSize) {
      fail(source, `corrupt ZIP entry ${what} (it inflates to ${data.length} bytes, not ${entry.uncompressedSize})`);
    }
  } else {
    fail(
      source,
      `entry ${what} uses ZIP compression method ${entry.method}; only stored (0) and deflated (8) are supported`,
    );
  }
  if (crc32(data) !== entry.crc32) fail(source, `corrupt ZIP entry ${what} (CRC-32 mismatch)`);
  return data;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as ZIP uses it); uses zlib's when Node has it. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
