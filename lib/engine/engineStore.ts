/**
 * The store each engine records to, kept out of the engine's public type: the dashboard, given an
 * engine, reads what it needs (cursor pages, counts, transitions after a seq) from that store.
 */
import type { Store } from '../store/Store.js';

const stores = new WeakMap<object, Store>();

/** Called by the engine's constructor. */
export function rememberEngineStore(engine: object, store: Store): void {
  stores.set(engine, store);
}

/** The store `engine` records to, or undefined for an object that is not an engine. */
export function engineStore(engine: object): Store | undefined {
  return stores.get(engine);
}
