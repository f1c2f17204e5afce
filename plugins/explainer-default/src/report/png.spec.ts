import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { divergingColor, heatmapPixels, imageGeometry, imagePixels } from './heatmap.js';
import { encodePng, pngDataUri } from './png.js';

/** Walks the chunks of a PNG, checking each CRC. */
function chunks(bytes: Uint8Array): { type: string; data: Buffer }[] {
  const png = Buffer.from(bytes);
  const out: { type: string; data: Buffer }[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    out.push({ type, data });
    offset += 12 + length;
  }
  return out;
}

describe('encodePng', () => {
  describe('when given 3 x 2 RGBA pixels', () => {
    it('should write the signature, IHDR, IDAT with filter 0 scanlines and IEND, with valid CRCs', async () => {
      const rgba = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
      const png = await encodePng(3, 2, rgba);
      expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const [ihdr, idat, iend] = chunks(png);
      expect([ihdr.type, idat.type, iend.type]).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect([ihdr.data.readUInt32BE(0), ihdr.data.readUInt32BE(4), ihdr.data[8], ihdr.data[9]]).toEqual([3, 2, 8, 6]);
      const raw = inflateSync(idat.data);
      expect(raw.length).toBe(2 * (1 + 12));
      expect(raw[0]).toBe(0);
      expect(Array.from(raw.subarray(14, 26))).toEqual(Array.from(rgba.subarray(12)));
      expect(pngDataUri(png)).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    });
  });

  describe('when the buffer does not match the size', () => {
    it('should throw', async () => {
      await expect(encodePng(2, 2, new Uint8Array(15))).rejects.toThrow(/16 bytes/);
    });
  });
});

describe('divergingColor', () => {
  describe('when given -1, 0 and 1', () => {
    it('should give blue, white-ish and red', () => {
      expect(divergingColor(-1)).toEqual([0x21, 0x66, 0xac]);
      expect(divergingColor(0)).toEqual([0xf7, 0xf7, 0xf7]);
      expect(divergingColor(1)).toEqual([0xb2, 0x18, 0x2b]);
      expect(divergingColor(5)).toEqual(divergingColor(1));
    });
  });
});

describe('heatmapPixels', () => {
  describe('when a 2 x 2 RGB image has one positive and one negative pixel', () => {
    it('should sum channels, scale to the largest magnitude and upscale by whole pixels', () => {
      const geometry = imageGeometry([2, 2, 3])!;
      const attributions = [1, 1, 2, 0, 0, 0, 0, 0, 0, -1, -1, 0];
      const heat = heatmapPixels(attributions, geometry, 2);
      expect(heat.limit).toBe(4);
      expect([heat.width, heat.height]).toEqual([4, 4]);
      expect(Array.from(heat.rgba.subarray(0, 4))).toEqual([...divergingColor(1), 255]);
      expect(Array.from(heat.rgba.subarray(4, 8))).toEqual([...divergingColor(1), 255]);
      expect(Array.from(heat.rgba.subarray((3 * 4 + 3) * 4, (3 * 4 + 3) * 4 + 4))).toEqual([...divergingColor(-0.5), 255]);
      expect(imagePixels([0, 0.5, 1, 2], imageGeometry([2, 2])!, 1).rgba.filter((_, i) => i % 4 === 0)).toEqual(Uint8Array.of(0, 128, 255, 255));
      expect(imageGeometry([6])).toBeUndefined();
    });
  });
});
