import type { LoadedPlugin } from './contracts/plugin.js';
import headsModule from './heads/heads-module.js';
import trainingModule from './training/training-module.js';

/** Core's own contributions, listed and loaded like any plugin but always present. */
export const corePlugins: readonly LoadedPlugin[] = [
  {
    manifest: {
      name: 'heads',
      kind: 'head',
      description: 'max-margin hypersphere heads (sslm, svm, logistic) and the Deep SAD / Deep SVDD baselines',
      provides: ['sslm', 'svm', 'logistic', 'deep-sad', 'deep-svdd'],
    },
    module: headsModule,
    packageName: '@imdad/core',
    requested: 'heads',
  },
  {
    manifest: {
      name: 'trainer',
      kind: 'trainer',
      description: 'joint Adam training of encoder and head, with warm start and anomaly oversampling',
      provides: ['adam'],
    },
    module: trainingModule,
    packageName: '@imdad/core',
    requested: 'trainer',
  },
];
