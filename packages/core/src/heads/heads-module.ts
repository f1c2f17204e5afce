import { ContainerModule } from 'inversify';
import { Head } from '../contracts/head.js';
import { DeepSadHead, DeepSvddHead } from './baseline-heads.js';
import { LogisticHead, SslmHead, SvmHead } from './max-margin-heads.js';

/** Core's heads: the max-margin objectives and the Deep SVDD / Deep SAD baselines. */
export default new ContainerModule(({ bind }) => {
  const heads: Array<new () => Head<object>> = [SslmHead, SvmHead, LogisticHead, DeepSadHead, DeepSvddHead];
  for (const head of heads) {
    bind(head).toSelf().inSingletonScope();
    bind(Head).toService(head);
  }
});
