import { Encoder } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { ResnetEncoder } from './resnet-encoder.js';

/** Binds the ResNet backbone into the `Encoder` extension point. */
export default new ContainerModule(({ bind }) => {
  bind(ResnetEncoder).toSelf().inSingletonScope();
  bind(Encoder).toService(ResnetEncoder);
});
