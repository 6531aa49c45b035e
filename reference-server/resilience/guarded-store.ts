import type { Store } from '../store/types.ts';
import type { DependencyBreaker } from './breaker.ts';

const UNGUARDED = new Set<PropertyKey>(['kind', 'migrate', 'close']);

/** The store with every call run through its breaker (BRK-1, BRK-4). */
export function guardStore(store: Store, breaker: DependencyBreaker): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || UNGUARDED.has(prop)) return value;
      return (...args: unknown[]) => breaker.run(() => value.apply(target, args));
    },
  });
}
