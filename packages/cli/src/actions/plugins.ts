import { createContext } from '../context.js';
import type { GlobalArgs } from '../output.js';

export async function plugins(args: GlobalArgs): Promise<void> {
  const { output, imdad } = await createContext(args, false);
  const rows = imdad.plugins.map((p) => ({
    name: p.manifest.name,
    kind: p.manifest.kind,
    package: p.packageName,
    provides: p.manifest.provides,
    description: p.manifest.description,
  }));
  output.result(rows, () =>
    rows.map((r) => `${r.kind.padEnd(10)} ${r.name.padEnd(16)} ${r.provides.join(', ').padEnd(36)} ${r.package}`).join('\n'),
  );
}
