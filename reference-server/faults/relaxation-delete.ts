import type { Relaxations } from '../resilience/relaxations.ts';

/**
 * `relaxation-delete-ignored`: DELETE of a live relaxation answers 200 `{ended: true}` but ends nothing:
 * the relaxation stays until its ttl, as a fixture that only acknowledges the call would (FIX-4): C35
 * (the relaxed user is not limited again after the DELETE, and a second DELETE is not 404).
 */
export function deleteIgnored(relaxations: Relaxations): Relaxations {
  return new Proxy(relaxations, {
    get(target, prop) {
      if (prop === 'remove') return async (id: string) => target.table.get(id) !== undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
