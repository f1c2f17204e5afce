/** An 8-bit RGBA image, as pngjs decodes every PNG. */
export interface RgbaImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** The pixels row by row, four bytes (R, G, B, A) each. */
  readonly data: Uint8Array;
}

/**
 * Pixels in [0, 1], `height * width * channels` values row-major: grayscale
 * as ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B, as PIL's `convert('L')`),
 * or RGB. Alpha is ignored.
 */
export function toChannels(image: RgbaImage, channels: 1 | 3): Float32Array {
  const pixels = image.width * image.height;
  const out = new Float32Array(pixels * channels);
  const { data } = image;
  for (let p = 0; p < pixels; p++) {
    const r = data[4 * p];
    const g = data[4 * p + 1];
    const b = data[4 * p + 2];
    if (channels === 3) {
      out[3 * p] = r / 255;
      out[3 * p + 1] = g / 255;
      out[3 * p + 2] = b / 255;
    } else {
      out[p] = (r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
  }
  return out;
}

/** Source coordinate and weights of bilinear sampling along one axis (half-pixel centers, edges clamped). */
function axisSamples(from: number, to: number): { lo: Int32Array; hi: Int32Array; weight: Float32Array } {
  const lo = new Int32Array(to);
  const hi = new Int32Array(to);
  const weight = new Float32Array(to);
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const source = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    lo[i] = Math.floor(source);
    hi[i] = Math.min(lo[i] + 1, from - 1);
    weight[i] = source - lo[i];
  }
  return { lo, hi, weight };
}

/**
 * Bilinear resize of a `height x width x channels` image (row-major) to
 * `[toHeight, toWidth]`, sampling at pixel centers as TensorFlow's
 * `resize_bilinear(half_pixel_centers=True)` does. The same size returns the input.
 */
export function resizeBilinear(
  pixels: Float32Array,
  [height, width, channels]: readonly [number, number, number],
  [toHeight, toWidth]: readonly [number, number],
): Float32Array {
  if (height === toHeight && width === toWidth) return pixels;
  const rows = axisSamples(height, toHeight);
  const columns = axisSamples(width, toWidth);
  const out = new Float32Array(toHeight * toWidth * channels);
  for (let y = 0; y < toHeight; y++) {
    const top = rows.lo[y] * width;
    const bottom = rows.hi[y] * width;
    const wy = rows.weight[y];
    for (let x = 0; x < toWidth; x++) {
      const left = columns.lo[x];
      const right = columns.hi[x];
      const wx = columns.weight[x];
      for (let c = 0; c < channels; c++) {
        const topLeft = pixels[(top + left) * channels + c];
        const bottomLeft = pixels[(bottom + left) * channels + c];
        const upper = topLeft + (pixels[(top + right) * channels + c] - topLeft) * wx;
        const lower = bottomLeft + (pixels[(bottom + right) * channels + c] - bottomLeft) * wx;
        out[(y * toWidth + x) * channels + c] = upper + (lower - upper) * wy;
      }
    }
  }
  return out;
}
