import { tf } from '../../tf.js';
import { registerMissingKernels } from '../kernel-registry.js';
import { activationGradConfigs } from './activation-grad.js';
import { batchMatMulWasmConfig, keepShippedBatchMatMul } from './batch-mat-mul.js';
import { batchNormActivationConfigs } from './batch-norm-activation.js';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputWasmConfig, keepShippedConv2dBackpropInput } from './conv2d-backprop-input.js';
import { gatherWasmConfig, keepShippedGather } from './gather.js';
import { maxPoolGradWasmConfig } from './max-pool-grad.js';

/**
 * Training kernels `@tensorflow/tfjs-backend-wasm` does not ship, and imdad's
 * own fused kernels (for wasm and cpu; layers fall back to tfjs ops where they
 * are not registered): registered unless one already is.
 */
const MISSING_KERNELS: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig, ...batchNormActivationConfigs, ...activationGradConfigs];

/**
 * Training kernels `@tensorflow/tfjs-backend-wasm` 4.22 ships with wrong
 * results, or far slower than they need to be: they replace the registered
 * one. `keep` is given the shipped kernel first, for the cases ours hands back to it.
 */
const REPLACED_KERNELS: readonly { config: tf.KernelConfig; keep?: (shipped: tf.KernelConfig | undefined) => void }[] = [
  { config: maxPoolGradWasmConfig },
  { config: conv2dBackpropInputWasmConfig, keep: keepShippedConv2dBackpropInput },
  { config: gatherWasmConfig, keep: keepShippedGather },
  { config: batchMatMulWasmConfig, keep: keepShippedBatchMatMul },
];

/**
 * Registers the training kernels the wasm backend lacks, or ships broken.
 * Idempotent: a kernel the wasm backend already has (from an earlier call, or
 * natively in a newer tfjs-backend-wasm) is left as it is, except the broken
 * ones, which are swapped for ours once. Call it after importing
 * `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmTrainingKernels(): void {
  registerMissingKernels(MISSING_KERNELS);
  for (const { config, keep } of REPLACED_KERNELS) {
    const registered = tf.getKernel(config.kernelName, config.backendName);
    if (registered?.kernelFunc === config.kernelFunc) continue;
    keep?.(registered);
    if (registered !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
