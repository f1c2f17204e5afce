import { deflateRawSync } from 'node:zlib';

/**
 * Builders of NumPy `.npy` files and ZIP (`.npz`) archives, written by hand
 * for the tests, independently of the parsers under test.
 */
export const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Raw element bytes of `values` (given in file order) for a numeric descr like `>i4`. */
export function encodeValues(descr: string, values: readonly number[]): Uint8Array {
  const le = descr[0] !== '>';
  const kind = descr[1];
  const size = Number(descr.slice(2));
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((v, k) => {
    const p = k * size;
    if (kind === 'f' && size === 8) view.setFloat64(p, v, le);
    else if (kind === 'f' && size === 4) view.setFloat32(p, v, le);
    else if (kind === 'f' && size === 2) view.setUint16(p, v, le); // values are half-precision bit patterns
    else if (kind === 'i' && size === 8) view.setBigInt64(p, BigInt(v), le);
    else if (kind === 'u' && size === 8) view.setBigUint64(p, BigInt(v), le);
    else if (kind === 'i' && size === 4) view.setInt32(p, v, le);
    else if (kind === 'u' && size === 4) view.setUint32(p, v, le);
    else if (kind === 'i' && size === 2) view.setInt16(p, v, le);
    else if (kind === 'u' && size === 2) view.setUint16(p, v, le);
    else if (kind === 'i' && size === 1) view.setInt8(p, v);
    else if (kind === 'u' && size === 1) view.setUint8(p, v);
    else if (kind === 'b' && size === 1) view.setUint8(p, v);
    else throw new Error(`test helper cannot encode ${descr}`);
  });
  return bytes;
}

export interface NpyFile {
  readonly descr: string;
  readonly shape: readonly number[];
  readonly fortran?: boolean;
  readonly version?: 1 | 2 | 3;
  /** Element bytes; default: none. */
  readonly body?: Uint8Array;
  /** Replaces the header dict text. */
  readonly header?: string;
}

/** A .npy file as NumPy writes it: magic, version, header length, padded header dict, data. */
export function npy({ descr, shape, fortran = false, version = 1, body = new Uint8Array(0), header }: NpyFile): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict =
    header ??
    `{'descr': ${descr.startsWith('[') ? descr : `'${descr}'`}, 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const encoded = version === 3 ? utf8(dict) : latin1(dict);
  const padded = Math.ceil((prefix + encoded.length + 1) / 64) * 64 - prefix;
  const head = new Uint8Array(padded).fill(0x20);
  head.set(encoded);
  head[padded - 1] = 0x0a;
  const pre = new Uint8Array(prefix);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(pre.buffer);
  if (version === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  return concat(pre, head, body);
}

/** Values of a C-order array of `shape` rearranged into Fortran (column-major) order. */
export function toFortranOrder(values: readonly number[], shape: readonly number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < values.length; k++) {
    out.push(values[index.reduce((sum, i, a) => sum + i * strides[a], 0)]);
    for (let a = 0; a < shape.length; a++) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

/** CRC-32 written for the tests, bit by bit. */
export function referenceCrc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
  readonly flags?: number;
  readonly method?: number;
}

/** A ZIP archive; with `zip64`, sizes and offsets live in ZIP64 extra fields, as NumPy's savez writes them. */
export function zip(members: readonly ZipMember[], { zip64 = false, comment = '' } = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = utf8(m.name);
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const method = m.method ?? (m.deflate ? 8 : 0);
    const crc = referenceCrc32(m.data);
    const localExtra = new Uint8Array(zip64 ? 20 : 0);
    if (zip64) {
      const v = new DataView(localExtra.buffer);
      v.setUint16(0, 1, true);
      v.setUint16(2, 16, true);
      v.setBigUint64(4, BigInt(m.data.length), true);
      v.setBigUint64(12, BigInt(body.length), true);
    }
    const local = new Uint8Array(30 + name.length + localExtra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, zip64 ? 45 : 20, true);
    lv.setUint16(6, m.flags ?? 0, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, zip64 ? 0xffffffff : body.length, true);
    lv.setUint32(22, zip64 ? 0xffffffff : m.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, localExtra.length, true);
    local.set(name, 30);
    local.set(localExtra, 30 + name.length);

    const centralExtra = new Uint8Array(zip64 ? 28 : 0);
    if (zip64) {
      const v = new DataView(centralExtra.buffer);
      v.setUint16(0, 1, true);
      v.setUint16(2, 24, true);
      v.setBigUint64(4, BigInt(m.data.length), true);
      v.setBigUint64(12, BigInt(body.length), true);
      v.setBigUint64(20, BigInt(offset), true);
    }
    const central = new Uint8Array(46 + name.length + centralExtra.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, zip64 ? 45 : 20, true);
    cv.setUint16(6, zip64 ? 45 : 20, true);
    cv.setUint16(8, m.flags ?? 0, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, zip64 ? 0xffffffff : body.length, true);
    cv.setUint32(24, zip64 ? 0xffffffff : m.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, centralExtra.length, true);
    cv.setUint32(42, zip64 ? 0xffffffff : offset, true);
    central.set(name, 46);
    central.set(centralExtra, 46 + name.length);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cd = concat(...centrals);
  const tail: Uint8Array[] = [];
  if (zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(members.length), true);
    rv.setBigUint64(32, BigInt(members.length), true);
    rv.setBigUint64(40, BigInt(cd.length), true);
    rv.setBigUint64(48, BigInt(offset), true);
    const locator = new Uint8Array(20);
    const lv = new DataView(locator.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(offset + cd.length), true);
    lv.setUint32(16, 1, true);
    tail.push(record, locator);
  }
  const commentBytes = latin1(comment);
  const eocd = new Uint8Array(22 + commentBytes.length);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : members.length, true);
  ev.setUint16(10, zip64 ? 0xffff : members.length, true);
  ev.setUint32(12, zip64 ? 0xffffffff : cd.length, true);
  ev.setUint32(16, zip64 ? 0xffffffff : offset, true);
  ev.setUint16(20, commentBytes.length, true);
  eocd.set(commentBytes, 22);
  return concat(...locals, cd, ...tail, eocd);
}
