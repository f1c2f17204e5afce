/**
 * A faster `Conv2DBackpropInput` for the tfjs wasm backend. The one
 * `@tensorflow/tfjs-backend-wasm` 4.22 ships is a scalar loop, about 7x slower
 * than the forward XNNPACK convolution (the largest kernel of a LeNet training
 * step on wasm); this one runs the wasm backend's own XNNPACK `Conv2D`:
 *
 *   dx[n, i, j, c] = Σ_{kh, kw, o} dy[n, (i + padTop − kh)/sh, (j + padLeft − kw)/sw, o] · W[kh, kw, c, o]
 *
 * (terms where the division is not exact or falls outside dy vanish) is a
 * stride-1 correlation of dy, dilated by the strides (sh − 1 zeros between
 * rows, sw − 1 between columns), padded by `fh − 1 − padTop` rows on top
 * and `fw − 1 − padLeft` columns on the left, with the filter rotated by 180°
 * and its channel axes swapped: W'[a, b, o, c] = W[fh − 1 − a, fw − 1 − b, c, o].
 *
 * Cases this formulation does not cover (dilated filters, NCHW, a padding that
 * would have to be negative, e.g. 'valid' with trailing input rows no output
 * read) go to the kernel the wasm backend shipped.
 */
import { tf } from '../../tf.js';

const WASM = 'wasm';

type TensorInfo = tf.TensorInfo;
type Conv2DBackpropInputAttrs = tf.Conv2DBackpropInputAttrs;

interface WasmHeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
}

/** The kernel the wasm backend shipped, kept for the cases handled there. */
let shipped: tf.KernelConfig | undefined;

/** Remembers the wasm backend's own kernel before ours replaces it (see registerWasmTrainingKernels). */
export function keepShippedConv2dBackpropInput(config: tf.KernelConfig | undefined): void {
  if (config && config.kernelFunc !== conv2dBackpropInputWasmConfig.kernelFunc) shipped = config;
}

function runShipped(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  if (!shipped) throw new Error('Conv2DBackpropInput (wasm): this case needs the kernel the wasm backend ships, which is not registered');
  return shipped.kernelFunc(args) as TensorInfo;
}

function runWasmKernel(kernelName: string, backend: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo {
  const config = tf.getKernel(kernelName, WASM);
  if (config === undefined) throw new Error(`Conv2DBackpropInput (wasm): the wasm backend has no '${kernelName}' kernel to build on`);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

function conv2dBackpropInputWasm(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const { dilations } = attrs as { dilations?: number | number[] };
  const supported =
    typeof backend.typedArrayFromHeap === 'function' &&
    (dataFormat === undefined || dataFormat === 'NHWC') &&
    (dilations === undefined || [dilations].flat().every((d) => d === 1)) &&
    dy.shape.length === 4 &&
    filter.shape.length === 4 &&
    inputShape.length === 4 &&
    dy.dtype === 'float32' &&
    filter.dtype === 'float32';
  if (!supported) return runShipped(args);

  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  if (![batchSize, outHeight, outWidth, outChannels].every((size, i) => size === dy.shape[i])) return runShipped(args);
  if (tf.util.sizeFromShape(inputShape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) return runShipped(args);

  const dilatedHeight = (outHeight - 1) * strideHeight + 1;
  const dilatedWidth = (outWidth - 1) * strideWidth + 1;
  const top = filterHeight - 1 - padInfo.top;
  const left = filterWidth - 1 - padInfo.left;
  const bottom = inHeight + padInfo.top - dilatedHeight;
  const right = inWidth + padInfo.left - dilatedWidth;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return runShipped(args);

  const intermediates: TensorInfo[] = [];
  try {
    // W'[a, b, o, c] = W[fh − 1 − a, fw − 1 − b, c, o]
    const flipped = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
    intermediates.push(flipped);
    const w = backend.typedArrayFromHeap(filter);
    const wFlipped = backend.typedArrayFromHeap(flipped);
    for (let a = 0; a < filterHeight; a++) {
      for (let b = 0; b < filterWidth; b++) {
        const source = ((filterHeight - 1 - a) * filterWidth + (filterWidth - 1 - b)) * inChannels * outChannels;
        const target = (a * filterWidth + b) * outChannels * inChannels;
        for (let c = 0; c < inChannels; c++) {
          for (let o = 0; o < outChannels; o++) wFlipped[target + o * inChannels + c] = w[source + c * outChannels + o];
        }
      }
    }

    let image = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      const dilated = backend.makeOutput([batchSize, dilatedHeight, dilatedWidth, outChannels], 'float32');
      intermediates.push(dilated);
      const source = backend.typedArrayFromHeap(dy);
      const target = backend.typedArrayFromHeap(dilated);
      target.fill(0);
      let from = 0;
      for (let n = 0; n < batchSize; n++) {
        for (let i = 0; i < outHeight; i++) {
          for (let j = 0; j < outWidth; j++) {
            const to = ((n * dilatedHeight + i * strideHeight) * dilatedWidth + j * strideWidth) * outChannels;
            for (let o = 0; o < outChannels; o++) target[to + o] = source[from++];
          }
        }
      }
      image = dilated;
    }

    return runWasmKernel(
      'Conv2D',
      backend,
      { x: image, filter: flipped },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      } as unknown as tf.NamedAttrMap,
    );
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

/** `Conv2DBackpropInput` for the wasm backend, built on its XNNPACK Conv2D. */
export const conv2dBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2dBackpropInputWasm,
  // The shipped kernel's setup (binding its wasm function) must still run: it serves the cases above.
  setupFunc: (backend) => shipped?.setupFunc?.(backend),
};
