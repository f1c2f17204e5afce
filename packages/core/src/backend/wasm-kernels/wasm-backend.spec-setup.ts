import { afterAll, beforeAll } from 'vitest';
import { tf } from '../../tf.js';
import { registerWasmTrainingKernels } from './index.js';

/**
 * For a spec file that compares kernels on wasm with the cpu backend: loads
 * the wasm backend and imdad's kernels before the file's tests (making wasm
 * the active backend unless `activate` is false) and restores the backend
 * that was active before, after them.
 */
export function useWasmBackendForThisFile(activate = true): void {
  let initialBackend: string | undefined;
  beforeAll(async () => {
    await tf.ready();
    initialBackend = tf.getBackend();
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    if (activate && !(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  });
  afterAll(async () => {
    if (initialBackend) await tf.setBackend(initialBackend);
  });
}
