import { tf } from '../../tf.js';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { maxPoolGradWasmConfig } from './max-pool-grad.js';

/** Training kernels `@tensorflow/tfjs-backend-wasm` does not ship: registered unless one already is. */
const MISSING_KERNELS: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Training kernels `@tensorflow/tfjs-backend-wasm` 4.22 ships with wrong
 * results: they replace the registered one.
 */
const REPLACED_KERNELS: readonly tf.KernelConfig[] = [maxPoolGradWasmConfig];

/**
 * Registers the training kernels the wasm backend lacks, or ships broken.
 * Idempotent: a kernel the wasm backend already has (from an earlier call, or
 * natively in a newer tfjs-backend-wasm) is left as it is, except the broken
 * ones, which are swapped for ours once. Call it after importing
 * `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of MISSING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  for (const config of REPLACED_KERNELS) {
    const registered = tf.getKernel(config.kernelName, config.backendName);
    if (registered?.kernelFunc === config.kernelFunc) continue;
    if (registered !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
