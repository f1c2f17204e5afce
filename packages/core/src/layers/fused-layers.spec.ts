import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationGradConfigs } from '../backend/wasm-kernels/activation-grad.js';
import { batchNormActivationConfigs } from '../backend/wasm-kernels/batch-norm-activation.js';
import { registerWasmTrainingKernels } from '../backend/wasm-kernels/index.js';
import { randomValues } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { BatchNormActivation } from './batch-norm-activation.js';
import { DenseActivation } from './dense-activation.js';

/**
 * The fused layers run one kernel each way where imdad registered its kernels
 * (wasm, cpu) and plain tfjs ops elsewhere (tfjs-node, webgl). Both paths must
 * compute the same: here the cpu backend runs once with the kernels and once
 * with them unregistered, which is the path the native backends take.
 */
const FUSED_CPU_KERNELS = [...activationGradConfigs, ...batchNormActivationConfigs].filter((c) => c.backendName === 'cpu');

/** Output in training and inference mode, and the gradients of a loss for every trainable weight and the input. */
function outputsAndGradients(model: tf.LayersModel, input: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
    const inference = model.apply(input, { training: false }) as tf.Tensor;
    const inputGradient = tf.grad((t: tf.Tensor) => tf.sum(tf.square(model.apply(t, { training: false }) as tf.Tensor)))(input);
    return [value, inference, inputGradient, ...variables.map((v) => grads[v.name]), ...model.getWeights()].map((t) => Float32Array.from(t.dataSync()));
  });
}

function build(kind: 'dense' | 'batch-norm', alpha: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: kind === 'dense' ? [7] : [4, 4, 3] }));
  if (kind === 'dense') model.add(new DenseActivation({ units: 5, alpha, useBias: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  else model.add(new BatchNormActivation({ center: true, alpha }));
  return model;
}

let initialBackend: string | undefined;

beforeAll(async () => {
  await tf.ready();
  initialBackend = tf.getBackend();
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
});

afterAll(async () => {
  for (const config of FUSED_CPU_KERNELS) if (tf.getKernel(config.kernelName, 'cpu') === undefined) tf.registerKernel(config);
  if (initialBackend) await tf.setBackend(initialBackend);
});

describe('fused layers', () => {
  for (const kind of ['dense', 'batch-norm'] as const) {
    for (const alpha of [0, 0.1, 1]) {
      it(`should compute the same with the fused kernels and with tfjs ops (${kind}, slope ${alpha})`, () => {
        const shape = kind === 'dense' ? [6, 7] : [5, 4, 4, 3];
        const input = tf.tensor(randomValues(tf.util.sizeFromShape(shape), 9), shape);
        for (const config of FUSED_CPU_KERNELS) if (tf.getKernel(config.kernelName, 'cpu') === undefined) tf.registerKernel(config);
        const fusedModel = build(kind, alpha);
        const fused = outputsAndGradients(fusedModel, input);
        for (const config of FUSED_CPU_KERNELS) tf.unregisterKernel(config.kernelName, 'cpu');
        const opsModel = build(kind, alpha);
        const ops = outputsAndGradients(opsModel, input);
        expect(ops.map((values) => values.length)).toEqual(fused.map((values) => values.length));
        fused.forEach((values, i) => values.forEach((v, k) => expect(Math.abs(v - ops[i][k])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ops[i][k])))));
        tf.dispose([input]);
        fusedModel.dispose();
        opsModel.dispose();
      });
    }
  }
});
