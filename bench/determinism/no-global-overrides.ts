/**
 * Baseline stand-in for `sdk/engine/global-overrides.ts`, loaded only in the baseline arm of the
 * determinism-overhead benchmark (see ./hooks.ts): globals stay Node's own. The bench workflow never
 * calls `Date`, `Math.random` or timers, so this removes exactly the overhead the overrides add to
 * engine code (e.g. the guarded `setImmediate` each activation settles with).
 */
export function installGlobalOverrides(): void {}

export function guardGlobalFunction(
  _owner: Record<string, unknown>,
  _name: string,
  _instead: string,
  _label?: string,
): void {}
