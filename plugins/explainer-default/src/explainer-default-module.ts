import { Explainer } from '@imdad/core';
import { ContainerModule } from 'inversify';
import { DefaultExplainer } from './default-explainer.js';

/** Binds the default explainer into the `Explainer` extension point. */
export default new ContainerModule(({ bind }) => {
  bind(DefaultExplainer).toSelf().inSingletonScope();
  bind(Explainer).toService(DefaultExplainer);
});
