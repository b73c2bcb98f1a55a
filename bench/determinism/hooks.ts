import type { ResolveHook } from 'node:module';

/**
 * Module resolve hook of the baseline arm of the determinism-overhead benchmark: the engine's
 * determinism mechanism (its AsyncLocalStorage slot and its context-aware globals) resolves to the
 * stand-ins beside this file. Engine files stay untouched; only module resolution changes.
 */
const SUBSTITUTES: Record<string, string> = {
  '/sdk/engine/current-run.ts': './plain-slot.ts',
  '/sdk/engine/global-overrides.ts': './no-global-overrides.ts',
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  for (const [suffix, substitute] of Object.entries(SUBSTITUTES)) {
    if (resolved.url.endsWith(suffix)) {
      return { ...resolved, url: new URL(substitute, import.meta.url).href, shortCircuit: true };
    }
  }
  return resolved;
};
