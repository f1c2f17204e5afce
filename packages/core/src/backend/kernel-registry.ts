import { tf } from '../tf.js';

/*
 * imdad's own kernels (fused Adam, the sphere loss, fused layers, wasm
 * training kernels) are registered next to tfjs's and used only where a
 * backend has them; every other backend runs plain tfjs ops. These two
 * functions are that mechanism, shared by every fused piece.
 */

/** Registers each config whose kernel the backend does not have yet; one already there (ours or tfjs's) is kept. */
export function registerMissingKernels(configs: readonly tf.KernelConfig[]): void {
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}

/** True when `backend` (default: the active one) has every kernel named. */
export function hasKernels(names: readonly string[], backend = tf.getBackend()): boolean {
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}
