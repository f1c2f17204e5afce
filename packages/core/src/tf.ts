/**
 * The one TensorFlow.js instance every package uses. Plugins import `tf` from
 * `@imdad/core` instead of `@tensorflow/tfjs`, so that kernels, backends and
 * variables all live in a single engine even when a third-party plugin brings
 * its own copy of tfjs.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
