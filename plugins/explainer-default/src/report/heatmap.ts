/**
 * Pixels for image rows: the input itself and a diverging heatmap of its
 * attributions, upscaled by whole pixels so that small images stay legible.
 */

/** ColorBrewer RdBu, blue (lowers the score) through white (0) to red (raises it). */
export const DIVERGING_STOPS: readonly string[] = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];

const STOP_RGB = DIVERGING_STOPS.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/** The colour of `t` in [-1, 1] on the diverging map (values beyond are clamped). */
export function divergingColor(t: number): [number, number, number] {
  const position = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (STOP_RGB.length - 1);
  const lo = Math.min(Math.floor(position), STOP_RGB.length - 2);
  const f = position - lo;
  const [a, b] = [STOP_RGB[lo], STOP_RGB[lo + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** An image's geometry: `[height, width, channels]` (channels 1 or 3; a 2-D shape has one). */
export interface ImageGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The geometry of a sample shape, or undefined for tabular rows. */
export function imageGeometry(sampleShape: readonly number[]): ImageGeometry | undefined {
  if (sampleShape.length === 2) return { height: sampleShape[0], width: sampleShape[1], channels: 1 };
  if (sampleShape.length === 3) return { height: sampleShape[0], width: sampleShape[1], channels: sampleShape[2] };
  return undefined;
}

/** RGBA pixels of an image, each source pixel drawn as a `scale x scale` block. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

function paint(geometry: ImageGeometry, scale: number, colorAt: (pixel: number) => readonly number[]): Pixels {
  const width = geometry.width * scale;
  const height = geometry.height * scale;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colorAt(Math.floor(y / scale) * geometry.width + Math.floor(x / scale));
      rgba.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

/** The input image: grey for one channel, RGB for three; values in [0, 1] (clamped). */
export function imagePixels(values: ArrayLike<number>, geometry: ImageGeometry, scale: number): Pixels {
  const byte = (v: number): number => Math.round(255 * Math.max(0, Math.min(1, v)));
  const { channels } = geometry;
  return paint(geometry, scale, (p) =>
    channels >= 3 ? [byte(values[p * channels]), byte(values[p * channels + 1]), byte(values[p * channels + 2])] : Array(3).fill(byte(values[p * channels])),
  );
}

/**
 * The attributions summed over channels, on the diverging map scaled to the
 * largest magnitude (`limit`, returned so a legend can state it).
 */
export function heatmapPixels(attributions: ArrayLike<number>, geometry: ImageGeometry, scale: number): Pixels & { limit: number } {
  const pixels = geometry.height * geometry.width;
  const summed = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < geometry.channels; c++) summed[p] += attributions[p * geometry.channels + c];
  }
  const limit = summed.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { ...paint(geometry, scale, (p) => divergingColor(limit > 0 ? summed[p] / limit : 0)), limit };
}
