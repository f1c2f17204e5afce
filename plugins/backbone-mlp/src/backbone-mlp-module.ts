import { Encoder } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { MlpEncoder } from './mlp-encoder.js';

/** Binds the MLP backbone into the `Encoder` extension point. */
export default new ContainerModule(({ bind }) => {
  bind(MlpEncoder).toSelf().inSingletonScope();
  bind(Encoder).toService(MlpEncoder);
});
