import { ContainerModule } from 'inversify';
import { Trainer } from '../contracts/trainer.js';
import { MaxMarginTrainer } from './max-margin-trainer.js';

/** Core's trainer: joint Adam training of encoder and head. */
export default new ContainerModule(({ bind }) => {
  bind(MaxMarginTrainer).toSelf().inSingletonScope();
  bind(Trainer).toService(MaxMarginTrainer);
});
