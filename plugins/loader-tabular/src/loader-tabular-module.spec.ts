import { DataLoader, PLUGIN_KINDS } from '@imdad/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { CsvLoader } from './csv-loader.js';
import plugin, { manifest } from './index.js';
import loaderTabularModule from './loader-tabular-module.js';
import { NpyLoader, NpzLoader } from './npy-loader.js';

describe('loader-tabular module', () => {
  describe('.load', () => {
    describe('when loaded into a container', () => {
      it('should bind csv, npy and npz as data loaders, each a singleton', () => {
        const container = new Container();
        container.load(loaderTabularModule);
        const loaders = container.getAll<DataLoader>(DataLoader);
        expect(loaders.map((l) => l.name)).toEqual(['csv', 'npy', 'npz']);
        expect(loaders[0]).toBe(container.get(CsvLoader));
        expect(loaders[1]).toBe(container.get(NpyLoader));
        expect(loaders[2]).toBe(container.get(NpzLoader));
        expect(container.getAll<DataLoader>(DataLoader)[0]).toBe(loaders[0]);
      });
    });
  });
});

describe('manifest', () => {
  describe('.provides', () => {
    describe('when read with the default export', () => {
      it('should describe a loader plugin providing what the module binds', () => {
        expect(plugin).toBe(loaderTabularModule);
        expect(manifest).toMatchObject({ name: 'loader-tabular', kind: 'loader', provides: ['csv', 'npy', 'npz'] });
        expect(PLUGIN_KINDS).toContain(manifest.kind);
        expect(manifest.description.length).toBeGreaterThan(0);
      });
    });
  });
});
