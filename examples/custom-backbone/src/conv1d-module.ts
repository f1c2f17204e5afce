import { Encoder } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { Conv1dEncoder } from './conv1d-encoder.js';

/** Binds the conv1d backbone into the `Encoder` extension point. */
export default new ContainerModule(({ bind }) => {
  bind(Conv1dEncoder).toSelf().inSingletonScope();
  bind(Encoder).toService(Conv1dEncoder);
});
