import { tf } from '../../tf.js';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';

/** Training kernels that `@tensorflow/tfjs-backend-wasm` does not ship. */
const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Registers the training kernels the wasm backend lacks. Idempotent: a kernel
 * already registered for 'wasm' (by an earlier call, or natively by a newer
 * tfjs-backend-wasm) is left as it is. Call it after importing
 * `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}
