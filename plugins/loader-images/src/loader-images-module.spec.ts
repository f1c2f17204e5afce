import { DataLoader, PLUGIN_KINDS } from '@imdad/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { IdxLoader } from './idx-loader.js';
import plugin, { manifest } from './index.js';
import loaderImagesModule from './loader-images-module.js';
import { PngLoader } from './png-loader.js';

describe('loader-images module', () => {
  describe('when loaded into a container', () => {
    it('should bind idx and png as data loaders, each a singleton, and the manifest should say so', () => {
      const container = new Container();
      container.load(loaderImagesModule);
      const loaders = container.getAll<DataLoader>(DataLoader);
      expect(loaders.map((l) => l.name)).toEqual(['idx', 'png']);
      expect(loaders[0]).toBe(container.get(IdxLoader));
      expect(loaders[1]).toBe(container.get(PngLoader));
      expect(plugin).toBe(loaderImagesModule);
      expect(manifest).toMatchObject({ name: 'loader-images', kind: 'loader', provides: ['idx', 'png'] });
      expect(PLUGIN_KINDS).toContain(manifest.kind);
    });
  });
});
