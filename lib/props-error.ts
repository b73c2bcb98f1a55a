import type { IConstruct } from 'constructs';

/**
 * The error a Cairn construct throws for props it cannot deploy: it names the construct (kind and
 * path) and says what to change.
 *
 * @example
 * throw new CairnPropsError(this, 'Worker', `memorySize ${memorySize} is out of range; use 128..10240 MB`);
 */
export class CairnPropsError extends Error {
  constructor(scope: IConstruct, kind: 'Engine' | 'Worker', message: string) {
    super(`${kind} '${scope.node.path}': ${message}`);
    this.name = 'CairnPropsError';
  }
}
