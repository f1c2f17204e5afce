/**
 * `Conv2DBackpropFilter` for the tfjs wasm backend, which ships without it
 * (so gradient descent on any conv net fails there).
 *
 * The filter gradient is itself a convolution, so it is computed with the wasm
 * backend's own XNNPACK `Conv2D`, with the roles of the tensors swapped:
 *
 *   dW[kh, kw, c, o] = Σ_{n, i, j} x[n, i·sh + kh − padTop, j·sw + kw − padLeft, c] · dy[n, i, j, o]
 *
 * is a stride-1 convolution whose "image" is x laid out as [C, H, W, N]
 * (batch = input channel c, image channels = the original batch n), whose
 * "filter" is dy laid out as [outH, outW, N, outC], dilated by the original
 * strides, and whose output [C, fh, fw, outC] is dW up to a transpose. XNNPACK
 * builds the im2col view with an indirection buffer instead of copying the
 * input once per filter tap, so the whole gradient costs three transposes
 * (x, dy, and the small result) and one native convolution. (The per-tap
 * slice + BatchMatMul formulation, prototyped first, was 1.3-25x slower and
 * holds fh·fw copies of the input: the wasm Slice copies its whole input per
 * call, the wasm StridedSlice is a per-element loop, and BatchMatMul only
 * reaches XNNPACK without transposes.)
 *
 * Only the wasm backend's registered kernel functions are called, never the
 * high-level ops, so nothing goes through the engine or the gradient tape; every
 * intermediate TensorInfo is released with `backend.disposeData`.
 */
import { tf } from '../../tf.js';

const WASM = 'wasm';

type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend;
type Conv2DBackpropFilterAttrs = tf.Conv2DBackpropFilterAttrs;

function fail(message: string): never {
  throw new Error(`Conv2DBackpropFilter (wasm): ${message}`);
}

/** Runs one of the wasm backend's own kernels on TensorInfos, bypassing the engine. */
function runWasmKernel(
  kernelName: string,
  backend: Backend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): TensorInfo {
  const config = tf.getKernel(kernelName, WASM);
  if (config === undefined) fail(`the wasm backend has no '${kernelName}' kernel to build on`);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/**
 * Transposes `t` by `perm`, as a free reshape when only size-1 axes move
 * (the wasm Transpose would copy the data in that case).
 */
function permute(t: TensorInfo, perm: number[], backend: Backend): TensorInfo {
  const shape = perm.map((axis) => t.shape[axis]);
  const moved = perm.filter((axis) => t.shape[axis] !== 1);
  const keepsOrder = moved.every((axis, i) => i === 0 || axis > moved[i - 1]);
  return keepsOrder
    ? runWasmKernel('Reshape', backend, { x: t }, { shape })
    : runWasmKernel('Transpose', backend, { x: t }, { perm });
}

/** The top-left [rows, cols] of every image of an NHWC `x`. */
function cropInput(
  x: TensorInfo,
  rows: number,
  cols: number,
  backend: Backend,
  keep: (t: TensorInfo) => TensorInfo,
): TensorInfo {
  const [batch, height, width, channels] = x.shape;
  if (cols === width) {
    // Whole rows: copy contiguous runs of width·channels values.
    const flat = keep(runWasmKernel('Reshape', backend, { x }, { shape: [batch, height, width * channels] }));
    const sliced = keep(runWasmKernel('Slice', backend, { x: flat }, { begin: [0, 0, 0], size: [batch, rows, width * channels] }));
    return keep(runWasmKernel('Reshape', backend, { x: sliced }, { shape: [batch, rows, width, channels] }));
  }
  return keep(runWasmKernel('Slice', backend, { x }, { begin: [0, 0, 0, 0], size: [batch, rows, cols, channels] }));
}

function zeros(shape: number[], backend: Backend): TensorInfo {
  return runWasmKernel('Fill', backend, {}, { shape, value: 0, dtype: 'float32' });
}

function checkAttrs(x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): void {
  const { dataFormat, filterShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    fail(`only dataFormat 'NHWC' is supported, got '${dataFormat}'`);
  }
  // The kernel has no dilations attribute (tfjs rejects dilated conv gradients
  // before reaching it); refuse one anyway rather than silently ignore it.
  const { dilations } = attrs as { dilations?: number | number[] };
  if (dilations !== undefined && ![dilations].flat().every((d) => d === 1)) {
    fail(`only dilations of 1 are supported, got ${JSON.stringify(dilations)}`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    fail(`x and dy must be rank 4, got shapes [${x.shape}] and [${dy.shape}]`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    fail(`x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  }
  if (filterShape?.length !== 4 || filterShape[2] !== x.shape[3] || filterShape[3] !== dy.shape[3]) {
    fail(`filterShape [${filterShape}] does not match x [${x.shape}] and dy [${dy.shape}]`);
  }
}

function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  checkAttrs(x, dy, attrs);
  const { strides, pad, dimRoundingMode, filterShape } = attrs;

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  if (!expectedDy.every((size, i) => size === dy.shape[i])) {
    fail(`dy has shape [${dy.shape}] but the convolution's output shape is [${expectedDy}]`);
  }
  if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) {
    return zeros(filterShape, backend);
  }

  // Rows/columns of the (padded) input the forward pass actually read: the
  // padding after the input may be smaller than padInfo's (or negative, i.e.
  // trailing input rows no output touched, with 'valid' and a stride > 1).
  const padTop = padInfo.top;
  const padLeft = padInfo.left;
  const padBottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - padTop;
  const padRight = (outWidth - 1) * strideWidth + filterWidth - inWidth - padLeft;

  const intermediates: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    intermediates.push(t);
    return t;
  };
  try {
    // Drop input rows/columns no output pixel reads, so the convolution
    // below yields exactly [fh, fw] taps and wastes no work.
    const input =
      padBottom < 0 || padRight < 0
        ? cropInput(x, inHeight + Math.min(padBottom, 0), inWidth + Math.min(padRight, 0), backend, keep)
        : x;

    // x as a batch of C images with N channels; dy as an [outH, outW, N, outC] filter.
    const image = keep(permute(input, [3, 1, 2, 0], backend));
    const filter = keep(permute(dy, [1, 2, 0, 3], backend));
    const taps = keep(
      runWasmKernel(
        'Conv2D',
        backend,
        { x: image, filter },
        {
          strides: [1, 1],
          dilations: [strideHeight, strideWidth],
          pad: [
            [0, 0],
            [padTop, Math.max(padBottom, 0)],
            [padLeft, Math.max(padRight, 0)],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      ),
    );
    const expectedTaps = [inChannels, filterHeight, filterWidth, outChannels];
    if (!expectedTaps.every((size, i) => size === taps.shape[i])) {
      fail(`internal error: got taps of shape [${taps.shape}], expected [${expectedTaps}]`);
    }
    // [C, fh, fw, outC] -> [fh, fw, C, outC]
    return permute(taps, [1, 2, 0, 3], backend);
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

/** `Conv2DBackpropFilter` for the wasm backend, built on its XNNPACK Conv2D. */
export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2dBackpropFilterWasm,
};
