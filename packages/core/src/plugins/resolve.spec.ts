import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContainer } from '../container.js';
import { Encoder } from '../contracts/encoder.js';
import { listContributions } from '../contributions.js';
import { ImdadError } from '../errors.js';
import { loadPlugin, loadPlugins, pluginPackageCandidates } from './resolve.js';

const INVERSIFY = new URL('../../../../node_modules/inversify/lib/index.js', import.meta.url).href;

/** Writes a plugin package `name` into `<root>/node_modules`, with the given module body. */
function writePackage(root: string, name: string, body: string): void {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: { '.': { import: './index.js' } } }));
  writeFileSync(path.join(dir, 'index.js'), body);
}

const GOOD_PLUGIN = (encoderName: string) => `
import { ContainerModule } from '${INVERSIFY}';
export const manifest = { name: '${encoderName}-plugin', kind: 'encoder', description: 'test', provides: ['${encoderName}'] };
export default new ContainerModule(({ bind }) => {
  bind(Symbol.for('imdad/Encoder')).toConstantValue({ name: '${encoderName}', description: 'x', optionsSchema: null, build() {} });
});
`;

describe('pluginPackageCandidates', () => {
  describe('when given a short name', () => {
    it('should try the built-in scope with kind prefixes, then imdad-plugin-<name>', () => {
      const candidates = pluginPackageCandidates('resnet');
      expect(candidates[0]).toBe('@imdad/resnet');
      expect(candidates).toContain('@imdad/backbone-resnet');
      expect(candidates.at(-1)).toBe('imdad-plugin-resnet');
    });
  });

  describe('when given a scoped or full name', () => {
    it('should follow the eslint convention', () => {
      expect(pluginPackageCandidates('@acme/foo')).toEqual(['@acme/imdad-plugin-foo', '@acme/foo']);
      expect(pluginPackageCandidates('@acme')).toEqual(['@acme/imdad-plugin']);
      expect(pluginPackageCandidates('imdad-plugin-foo')).toEqual(['imdad-plugin-foo']);
      expect(pluginPackageCandidates('@imdad/backbone-mlp')).toEqual(['@imdad/backbone-mlp']);
      expect(pluginPackageCandidates('./local')).toEqual(['./local']);
    });
  });
});

describe('loadPlugin', () => {
  const roots: string[] = [];
  const tempRoot = (): string => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'imdad-plugins-'));
    roots.push(root);
    return root;
  };
  afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

  describe('when a third-party package is installed', () => {
    it('should load it by short name and by scoped name, and bind its contributions', async () => {
      const root = tempRoot();
      writePackage(root, 'imdad-plugin-foo', GOOD_PLUGIN('foo'));
      writePackage(root, '@acme/imdad-plugin-bar', GOOD_PLUGIN('bar'));
      const foo = await loadPlugin('foo', [root]);
      expect(foo.packageName).toBe('imdad-plugin-foo');
      expect(foo.manifest.kind).toBe('encoder');
      const { container, plugins } = await createContainer({ plugins: await loadPlugins(['foo', '@acme/bar', 'foo'], [root]) });
      expect(plugins.map((p) => p.manifest.name)).toContain('bar-plugin');
      expect(listContributions(container, Encoder).map((e) => e.name)).toEqual(['foo', 'bar']);
    });
  });

  describe('when a plugin is given by path', () => {
    it('should load the folder relative to the first resolve folder', async () => {
      const root = tempRoot();
      mkdirSync(path.join(root, 'local'));
      writeFileSync(path.join(root, 'local', 'package.json'), JSON.stringify({ type: 'module', main: 'index.js' }));
      writeFileSync(path.join(root, 'local', 'index.js'), GOOD_PLUGIN('local'));
      expect((await loadPlugin('./local', [root])).manifest.provides).toEqual(['local']);
    });
  });

  describe('when nothing by that name is installed', () => {
    it('should fail as not installed, naming what was looked for', async () => {
      const error = await loadPlugin('nope', [tempRoot()]).catch((e: unknown) => e);
      expect(ImdadError.is(error, 'plugin-not-installed')).toBe(true);
      expect(String(error)).toMatch(/imdad-plugin-nope/);
    });
  });

  describe('when the plugin throws while loading', () => {
    it('should fail as failed to load, not as not installed', async () => {
      const root = tempRoot();
      writePackage(root, 'imdad-plugin-broken', `throw new Error('boom');`);
      const error = await loadPlugin('broken', [root]).catch((e: unknown) => e);
      expect(ImdadError.is(error, 'plugin-load-failed')).toBe(true);
      expect(ImdadError.exitCode(error)).toBe(1);
      expect(String(error)).toMatch(/failed to load: boom/);
    });
  });

  describe('when the module lacks a ContainerModule or manifest', () => {
    it('should fail as an invalid plugin', async () => {
      const root = tempRoot();
      writePackage(root, 'imdad-plugin-empty', `export const x = 1;`);
      const error = await loadPlugin('empty', [root]).catch((e: unknown) => e);
      expect(ImdadError.is(error, 'plugin-invalid')).toBe(true);
    });
  });

  describe('when two plugins provide the same name', () => {
    it('should refuse the container', async () => {
      const root = tempRoot();
      writePackage(root, 'imdad-plugin-a', GOOD_PLUGIN('same'));
      writePackage(root, 'imdad-plugin-b', GOOD_PLUGIN('same'));
      await expect(createContainer({ plugins: await loadPlugins(['a', 'b'], [root]) })).rejects.toThrow(/two plugins provide the backbone "same"/);
    });
  });
});
