import { afterEach, describe, expect, it } from 'vitest';
import { ImdadError } from '../errors.js';
import { tf } from '../tf.js';
import { BACKEND_ENV_VAR, backendFromEnvironment, listBackends, useBackend } from './backends.js';

describe('useBackend', () => {
  afterEach(() => {
    delete process.env[BACKEND_ENV_VAR];
  });

  describe('when auto is asked for', () => {
    it('should choose the first available backend in the order tensorflow-gpu, tensorflow, wasm, cpu', async () => {
      const available = (await listBackends()).filter((s) => s.available).map((s) => s.name);
      expect(available).toContain('cpu');
      expect(await useBackend('auto')).toBe(available[0]);
    });
  });

  describe('when a backend is named', () => {
    it('should make it the tfjs backend', async () => {
      expect(await useBackend('cpu')).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
    });
  });

  describe('when IMDAD_BACKEND is set', () => {
    it('should decide when no preference is given, and yield to an explicit one', async () => {
      process.env[BACKEND_ENV_VAR] = 'cpu';
      expect(await useBackend()).toBe('cpu');
      expect(await useBackend('wasm')).toBe('wasm');
    });

    it('should reject a value that is not a backend, naming the allowed ones', () => {
      process.env[BACKEND_ENV_VAR] = 'gpu';
      expect(() => backendFromEnvironment()).toThrow(/IMDAD_BACKEND=gpu is not a backend \(allowed: auto, tensorflow-gpu/);
    });
  });

  describe('when a named backend cannot load', () => {
    it('should fail naming the backend and why, as a configuration error when its package is absent', async () => {
      const statuses = await listBackends();
      const missing = statuses.find((s) => !s.available);
      if (!missing) return; // every backend is installed here: nothing to refuse
      const error = await useBackend(missing.name).catch((e: unknown) => e);
      const notInstalled = missing.reason?.endsWith('is not installed') === true;
      expect(ImdadError.is(error, notInstalled ? 'config' : 'backend')).toBe(true);
      expect(String(error)).toContain(missing.name);
    });
  });
});
