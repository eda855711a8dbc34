/**
 * Where a dashboard reads from, and what it can act with. Given an engine, it reads the engine's
 * store and acts through the engine (cancel what it runs, resume and fork on the workflows it has
 * published). Given `{ storage }`, it opens a store of its own on that URL (and closes it with the
 * dashboard), or reads the `Store` object given (the caller opens and closes that one); it can read
 * every execution any process writes there, and act on none.
 */
import type { Engine } from '../engine/Engine.js';
import { engineStore } from '../engine/engineStore.js';
import { InvalidOptionsError } from '../errors.js';
import { createStore } from '../store/createStore.js';
import type { Store } from '../store/Store.js';

/** What `createDashboard` reads: an engine, or a storage URL or `Store` object. */
export type DashboardSourceInput = Engine | { storage: string | Store };

export interface DashboardSource {
  readonly store: Store;
  /** The engine to act with; undefined when the dashboard was given storage only. */
  readonly engine: Engine | undefined;
  close(): Promise<void>;
}

/**
 * @throws InvalidOptionsError when `input` is neither an engine nor `{ storage }`
 * @throws StorageError when the storage cannot be opened
 */
export async function openDashboardSource(input: DashboardSourceInput): Promise<DashboardSource> {
  if (input === null || typeof input !== 'object') throw new InvalidOptionsError('source', input, 'an engine or { storage }');
  const store = engineStore(input);
  if (store) return { store, engine: input as Engine, close: async () => {} };
  if (!('storage' in input)) throw new InvalidOptionsError('source', input, 'an engine or { storage }');
  if (typeof input.storage !== 'string') return { store: createStore(input.storage), engine: undefined, close: async () => {} };
  const opened = createStore(input.storage);
  await opened.open();
  return { store: opened, engine: undefined, close: () => opened.close() };
}
