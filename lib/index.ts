/**
 * `cairnflow/cdk`: deploy Cairn into your AWS account with the CDK.
 *
 * @example
 * import { Engine } from 'cairnflow/cdk';
 *
 * const engine = new Engine(stack, 'Engine');
 * engine.addWorker('Loans', { taskQueue: 'loans', entry: 'src/loans/worker.ts' });
 * engine.grantStart(checkoutFunction);
 */
export { ApiAuthorization, type JwtAuthorizationProps } from './api-authorization.ts';
export type { CairnBundlingProps } from './bundling.ts';
export { Engine } from './engine.ts';
export type { CairnLogLevel, EngineProps } from './engine-props.ts';
export { CairnPropsError } from './props-error.ts';
export { Worker, type WorkerOptions, type WorkerProps } from './worker.ts';
