/**
 * Picks the store for a `storage` option: the memory store, a SQLite file or memory database,
 * a MySQL/MariaDB or PostgreSQL database, or a `Store` object given by the caller. The store is returned
 * unopened: the caller calls `open()`.
 */
import { InvalidOptionsError } from '../errors.js';
import { defaultStorageUrl } from '../defaults.js';
import { MemoryStore } from './MemoryStore.js';
import type { Store } from './Store.js';
import { SequelizeStore } from './sequelize/SequelizeStore.js';
import { STORAGE_URL_FORMS } from './sequelize/parseStorageUrl.js';

export interface CreateStoreOptions {
  /**
   * Bring a SQL schema up to date when the store opens.
   * @defaultValue true
   */
  runMigrations?: boolean;
}

/**
 * @param storage `'memory'`, `'sqlite::memory:'`, `'sqlite:<path>'` (relative to the working
 *   directory), `'mysql://user:password@host:port/database'`,
 *   `'postgres://user:password@host:port/database'` (or `postgresql://`), a `Store`, or undefined for
 *   {@link defaultStorageUrl}.
 * @throws InvalidOptionsError when `storage` is none of these.
 * @example
 * const store = createStore('sqlite:./data/task-graph.db');
 * await store.open();
 */
export function createStore(storage: string | Store | undefined, options: CreateStoreOptions = {}): Store {
  if (storage === undefined) return createStore(defaultStorageUrl(), options);
  if (typeof storage === 'string') {
    if (storage === 'memory') return new MemoryStore();
    return new SequelizeStore({ url: storage, runMigrations: options.runMigrations ?? true });
  }
  if (isStore(storage)) return storage;
  throw new InvalidOptionsError('storage', storage, `${STORAGE_URL_FORMS}, or an object implementing Store`);
}

function isStore(value: unknown): value is Store {
  if (value === null || typeof value !== 'object') return false;
  const methods: Array<keyof Store> = [
    'open',
    'close',
    'createExecution',
    'commit',
    'writeLogs',
    'writeSpans',
    'getExecution',
    'listExecutions',
    'listTaskRuns',
    'listTransitions',
    'listLogs',
    'listSpans',
    'claimExecution',
    'heartbeat',
    'releaseOwnership',
    'pruneExecutions',
  ];
  return methods.every((method) => typeof Reflect.get(value, method) === 'function');
}
