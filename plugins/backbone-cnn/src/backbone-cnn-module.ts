import { Encoder } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { CnnEncoder } from './cnn-encoder.js';

/** Binds the CNN backbone into the `Encoder` extension point. */
export default new ContainerModule(({ bind }) => {
  bind(CnnEncoder).toSelf().inSingletonScope();
  bind(Encoder).toService(CnnEncoder);
});
