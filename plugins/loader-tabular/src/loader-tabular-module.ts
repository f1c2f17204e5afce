import { ContainerModule } from 'inversify';
import { DataLoader } from '@imdad/core';
import { CsvLoader } from './csv-loader.js';
import { NpyLoader, NpzLoader } from './npy-loader.js';

/** Binds the `csv`, `npy` and `npz` data loaders. */
export default new ContainerModule(({ bind }) => {
  bind(CsvLoader).toSelf().inSingletonScope();
  bind(NpyLoader).toSelf().inSingletonScope();
  bind(NpzLoader).toSelf().inSingletonScope();
  bind<DataLoader>(DataLoader).toService(CsvLoader);
  bind<DataLoader>(DataLoader).toService(NpyLoader);
  bind<DataLoader>(DataLoader).toService(NpzLoader);
});
