import { DataLoader } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { IdxLoader } from './idx-loader.js';
import { PngLoader } from './png-loader.js';

/** Binds the `idx` and `png` data loaders. */
export default new ContainerModule(({ bind }) => {
  bind(IdxLoader).toSelf().inSingletonScope();
  bind(PngLoader).toSelf().inSingletonScope();
  bind<DataLoader>(DataLoader).toService(IdxLoader);
  bind<DataLoader>(DataLoader).toService(PngLoader);
});
