import { IMDAD_VERSION, listBackends, tf } from '@imdad/core';
import { createContext } from '../context.js';
import type { GlobalArgs } from '../output.js';

export async function doctor(args: GlobalArgs): Promise<void> {
  const { output, backend, configFile } = await createContext(args);
  const statuses = await listBackends();
  const report = {
    backend,
    available: statuses.filter((s) => s.available).map((s) => s.name),
    unavailable: statuses.filter((s) => !s.available).map((s) => ({ name: s.name, reason: s.reason })),
    node: process.versions.node,
    tfjs: tf.version.tfjs,
    imdad: IMDAD_VERSION,
    config: configFile ?? null,
  };
  output.result(report, () =>
    [
      `backend:     ${backend} (chosen)`,
      ...statuses.map((s) => `  ${s.available ? 'ok ' : '-- '} ${s.name}${s.reason ? `: ${s.reason}` : ''}`),
      `node:        ${report.node}`,
      `tfjs:        ${report.tfjs}`,
      `imdad:       ${report.imdad}`,
      `config:      ${report.config ?? '(none found)'}`,
    ].join('\n'),
  );
}
