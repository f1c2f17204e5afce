import { ImdadError } from '../errors.js';
import { tf } from '../tf.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';

/** Tensor backends, fastest first: the order `auto` tries them in (`webgl` runs in browsers only). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgl', 'wasm', 'cpu'] as const;
/** One of the tensor backends imdad can run on. */
export type BackendName = (typeof BACKEND_NAMES)[number];
/** A backend to use, or `auto` for the fastest available one. */
export type BackendPreference = BackendName | 'auto';

/** The environment variable that overrides the configured backend. */
export const BACKEND_ENV_VAR = 'IMDAD_BACKEND';

/**
 * How each backend is brought in. The two native ones share tfjs's backend
 * name `tensorflow`; which package registered it tells CUDA from CPU.
 */
const BACKENDS: Record<BackendName, { packageName?: string; tfjsName: string; unavailable?: string }> = {
  'tensorflow-gpu': { packageName: '@tensorflow/tfjs-node-gpu', tfjsName: 'tensorflow' },
  tensorflow: { packageName: '@tensorflow/tfjs-node', tfjsName: 'tensorflow' },
  // Part of @tensorflow/tfjs, which registers it only in a browser.
  webgl: { tfjsName: 'webgl', unavailable: 'needs a browser with WebGL' },
  wasm: { packageName: '@tensorflow/tfjs-backend-wasm', tfjsName: 'wasm' },
  cpu: { tfjsName: 'cpu' },
};

/** Whether a backend can be used here, as probing found. */
export interface BackendStatus {
  /** The backend probed. */
  readonly name: BackendName;
  /** True when the backend can be used here (its package, if any, is installed and loads). */
  readonly available: boolean;
  /** Why it is not available (package absent, native library failed to load, ...). */
  readonly reason?: string;
}

let active: BackendName | undefined;
const probed = new Map<BackendName, Promise<BackendStatus>>();

/** True when `value` names a backend or is `auto`. */
export function isBackendPreference(value: string): value is BackendPreference {
  return value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value);
}

/** Reads `IMDAD_BACKEND`, failing clearly on a value that is not a backend. */
export function backendFromEnvironment(): BackendPreference | undefined {
  // Browsers have no process: no environment to read.
  const value = globalThis.process?.env?.[BACKEND_ENV_VAR];
  if (value === undefined || value === '') return undefined;
  if (!isBackendPreference(value)) {
    throw new ImdadError('config', `${BACKEND_ENV_VAR}=${value} is not a backend (allowed: auto, ${BACKEND_NAMES.join(', ')})`);
  }
  return value;
}

/** Imports a backend's package once (registering it with tfjs) and says whether it can run. */
function probe(name: BackendName): Promise<BackendStatus> {
  let status = probed.get(name);
  if (!status) {
    status = (async (): Promise<BackendStatus> => {
      const { packageName, tfjsName, unavailable } = BACKENDS[name];
      // A bundled app imports backend packages itself (they are registered already); Node imports them here.
      // The two native packages share one tfjs name, so for them only their own import tells.
      const registered = tfjsName !== 'tensorflow' && tf.findBackendFactory(tfjsName) !== null;
      if (!registered && unavailable) return { name, available: false, reason: unavailable };
      if (packageName && !registered) {
        try {
          // The name is a variable, so that bundlers leave the optional native packages out.
          await import(/* @vite-ignore */ packageName);
        } catch (error) {
          const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
          const reason = missing ? `${packageName} is not installed` : firstLine(error);
          return { name, available: false, reason };
        }
      }
      if (name === 'wasm') registerWasmTrainingKernels();
      // PROD silences tfjs's console banners (e.g. "install tfjs-node"), which would clutter stderr.
      tf.env().set('PROD', true);
      return { name, available: true };
    })();
    probed.set(name, status);
  }
  return status;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** Which backends this machine can use, in preference order. */
export async function listBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) statuses.push(await probe(name));
  return statuses;
}

/**
 * Makes a backend the active one. `auto` takes the first of tensorflow-gpu,
 * tensorflow, wasm, cpu that loads and initialises; a named backend that
 * cannot run is an error. Without a preference, `IMDAD_BACKEND` decides, then `auto`.
 */
export async function useBackend(preference?: BackendPreference): Promise<BackendName> {
  const wanted = preference ?? backendFromEnvironment() ?? 'auto';
  const candidates = wanted === 'auto' ? BACKEND_NAMES : [wanted];
  const failures: string[] = [];
  for (const name of candidates) {
    const status = await probe(name);
    if (status.available && (await tf.setBackend(BACKENDS[name].tfjsName))) {
      await tf.ready();
      active = name;
      return name;
    }
    failures.push(`${name}: ${status.reason ?? 'failed to initialise'}`);
  }
  // Asking for a backend whose package is absent is a configuration mistake; one that is installed but fails is not.
  const kind = failures.every((f) => f.endsWith('is not installed')) ? 'config' : 'backend';
  throw new ImdadError(kind, `backend "${wanted}" is not available (${failures.join('; ')}); try --backend auto`);
}

/** The backend chosen by the last `useBackend`, or undefined before any. */
export function activeBackend(): BackendName | undefined {
  return active;
}
