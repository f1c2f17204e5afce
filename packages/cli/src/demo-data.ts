import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The small dataset the package ships so that `imdad train` and `imdad evaluate`
 * run with no flags: ADBench's cardio (21 features), split 70/30 with seed 0;
 * the training file labels 10 of its anomalies (label = 1), the rest are unlabeled.
 */
const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');
export const DEMO_TRAIN = path.join(DATA_DIR, 'cardio-train.csv');
export const DEMO_TEST = path.join(DATA_DIR, 'cardio-test.csv');
export const DEFAULT_MODEL_DIR = 'imdad-model';
