import { loadModel } from '@imdad/core/node';
import type { InspectArgs } from '../commands/inspect.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';

export async function inspect(args: InspectArgs): Promise<void> {
  const { output, imdad } = await createContext(args);
  const detector = await loadModel(imdad.container, args.model);
  try {
    const { manifest } = detector;
    const { center, radiusSquared } = detector.sphere();
    const radius = Math.sqrt(Math.max(radiusSquared, 0));
    const info = {
      backbone: manifest.encoder.name,
      backboneOptions: manifest.encoder.options,
      head: manifest.head.name,
      headOptions: manifest.head.options,
      center: Array.from(center),
      radius,
      radiusSquared,
      emptySphere: radiusSquared <= 0,
      inputShape: manifest.inputShape,
      embeddingDim: manifest.embeddingDim,
      backend: manifest.backend,
      version: manifest.versions.imdad,
      tfjs: manifest.versions.tfjs,
      training: manifest.training,
      featureNames: manifest.featureNames ?? null,
    };
    output.result(info, () =>
      [
        `backbone:   ${info.backbone} ${JSON.stringify(info.backboneOptions)}`,
        `head:       ${info.head} ${JSON.stringify(info.headOptions)}`,
        `input:      [${info.inputShape.join(', ')}] -> embedding ${info.embeddingDim}`,
        `sphere:     R = ${fmt(radius)}, R^2 = ${fmt(radiusSquared)}${info.emptySphere ? ' (EMPTY: every row is flagged)' : ''}, |c| = ${fmt(Math.hypot(...center))}`,
        `trained:    ${manifest.training.rows} rows, ${manifest.training.labeledAnomalies} labeled anomalies, ${manifest.training.epochs} epochs on ${info.backend}`,
        `version:    imdad ${info.version}, tfjs ${info.tfjs}`,
      ].join('\n'),
    );
  } finally {
    detector.dispose();
  }
}
