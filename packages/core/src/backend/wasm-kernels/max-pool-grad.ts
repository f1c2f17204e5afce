/**
 * `MaxPoolGrad` for the tfjs wasm backend, replacing the one it ships.
 *
 * tfjs-backend-wasm 4.22's native MaxPoolGrad (and MaxPoolWithArgmax) start
 * each window's running maximum at `std::numeric_limits<float>::min()`, the
 * smallest *positive* float, so a window whose values are all <= 0 has no
 * maximum and its gradient is dropped. Behind batch normalization or a leaky
 * ReLU that is a large share of the windows, and a max-pooling CNN trains on
 * wrong gradients.
 *
 * This kernel routes each dy value to the first maximum of its window, as the
 * cpu backend does (windows of only NaN or -Infinity get none). It reads and
 * writes the wasm heap directly, the way the wasm backend's own JS kernels
 * (Slice, Concat, Fill) do, in one pass over dy with the channels innermost.
 */
import { tf } from '../../tf.js';

const WASM = 'wasm';

type TensorInfo = tf.TensorInfo;
type MaxPoolGradAttrs = tf.MaxPoolGradAttrs;

/** The parts of the wasm backend (BackendWasm) this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
}

function fail(message: string): never {
  throw new Error(`MaxPoolGrad (wasm): ${message}`);
}

function maxPoolGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  if (typeof backend.typedArrayFromHeap !== 'function') fail('needs the wasm backend');
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  if (input.shape.length !== 4 || dy.shape.length !== 4) {
    fail(`input and dy must be rank 4, got shapes [${input.shape}] and [${dy.shape}]`);
  }
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    fail(`input and dy must be float32, got ${input.dtype} and ${dy.dtype}`);
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  if (!info.outShape.every((size, i) => size === dy.shape[i])) {
    fail(`dy has shape [${dy.shape}] but the pooling's output shape is [${info.outShape}]`);
  }

  const out = backend.makeOutput([...input.shape], 'float32');
  // Views taken after the allocation above, which may have grown the heap.
  const x = backend.typedArrayFromHeap(input);
  const dyValues = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);

  const channels = inChannels;
  const rowStride = inWidth * channels;
  const pool2x2 =
    effectiveFilterHeight === 2 && effectiveFilterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0 &&
    2 * outHeight <= inHeight && 2 * outWidth <= inWidth;
  if (pool2x2) {
    // The common 2x2, stride-2 pooling: four candidates per output, windows that do not overlap.
    maxPoolGrad2x2(x, dyValues, dx, batchSize, inHeight, rowStride, outHeight, outWidth, channels);
    return out;
  }
  const maxValue = new Float32Array(channels);
  const maxIndex = new Int32Array(channels);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchOffset = b * inHeight * rowStride;
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - padInfo.top;
      let rMin = rCorner;
      while (rMin < 0) rMin += dilationHeight;
      const rMax = Math.min(inHeight, rCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - padInfo.left;
        let cMin = cCorner;
        while (cMin < 0) cMin += dilationWidth;
        const cMax = Math.min(inWidth, cCorner + effectiveFilterWidth);
        maxValue.fill(Number.NEGATIVE_INFINITY);
        maxIndex.fill(-1);
        for (let r = rMin; r < rMax; r += dilationHeight) {
          for (let c = cMin; c < cMax; c += dilationWidth) {
            const pixel = batchOffset + r * rowStride + c * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[pixel + d];
              if (value > maxValue[d]) {
                maxValue[d] = value;
                maxIndex[d] = pixel + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++, dyIndex++) {
          const index = maxIndex[d];
          if (index >= 0) dx[index] += dyValues[dyIndex];
        }
      }
    }
  }
  return out;
}

/** `MaxPoolGrad` for the wasm backend (first maximum of each window, as on cpu). */
/** MaxPoolGrad for 2x2 windows, stride 2, no padding: the first maximum of each window (row by row) gets dy. */
function maxPoolGrad2x2(
  x: tf.TypedArray,
  dy: tf.TypedArray,
  dx: tf.TypedArray,
  batchSize: number,
  inHeight: number,
  rowStride: number,
  outHeight: number,
  outWidth: number,
  channels: number,
): void {
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rowStart = (b * inHeight + 2 * yR) * rowStride;
      for (let yC = 0; yC < outWidth; yC++) {
        const p0 = rowStart + 2 * yC * channels;
        const p1 = p0 + channels;
        const p2 = p0 + rowStride;
        const p3 = p2 + channels;
        for (let d = 0; d < channels; d++, dyIndex++) {
          // Strict comparisons from -Infinity, as the general loop: NaN never wins, ties go to the first.
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          if (x[p0 + d] > best) (best = x[p0 + d]), (at = p0 + d);
          if (x[p1 + d] > best) (best = x[p1 + d]), (at = p1 + d);
          if (x[p2 + d] > best) (best = x[p2 + d]), (at = p2 + d);
          if (x[p3 + d] > best) at = p3 + d;
          if (at >= 0) dx[at] += dy[dyIndex];
        }
      }
    }
  }
}

export const maxPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: WASM,
  kernelFunc: maxPoolGradWasm,
};
