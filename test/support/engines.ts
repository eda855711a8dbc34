/**
 * Engines under test, one per store. `forEachStore(title, body)` declares one `describe` per store
 * factory of ./stores.ts (memory, a SQLite file, MySQL/MariaDB when TASK_GRAPH_TEST_MYSQL is set,
 * PostgreSQL when TASK_GRAPH_TEST_POSTGRES is); inside it every test gets a fresh store and an engine on it (`ctx.engine`), created with
 * `logLevel: 'error'` so the console stays quiet.
 *
 * After each test the helper checks what a user would call a leak, and fails that test (not the
 * whole suite) when it finds one:
 * - an engine the test opened with `ctx.openEngine()` and did not close;
 * - an engine that still runs executions (`engine.stats().activeExecutions > 0`): an execution
 *   the test started and never awaited, or actors that outlived their execution.
 * Then it closes every engine and removes the store's data (temp directory, MySQL database).
 *
 * @example
 * forEachStore('retries', (ctx) => {
 *   it('retries a failing task', async () => {
 *     ctx.engine.publishWorkflow(ctx.engine.createWorkflow('wf').addTask('a', 'A', fn).build());
 *     const result = await ctx.engine.execute('wf');
 *   });
 * });
 */
import { createEngine } from '../../lib/index.js';
import type { Engine, EngineOptions, Workflow, WorkflowBuilder } from '../../lib/index.js';
import { storeFactories } from './stores.js';
export { waitUntil } from './waitUntil.js';
import type { StoreKind, StoreUnderTest } from './stores.js';

export interface EngineTestContext {
  /** The store of the current test. */
  readonly target: StoreUnderTest;
  /** The engine the helper opened for the current test on `target` (closed by the helper). */
  readonly engine: Engine;
  /** Closes `engine` and opens a new one on `target` with these options (closed by the helper). */
  reopenEngine(options?: Omit<EngineOptions, 'storage'>): Promise<Engine>;
  /** Another engine on the same storage; the test must close it (the helper checks). */
  openEngine(options?: Omit<EngineOptions, 'storage'>): Promise<Engine>;
  /** Builds the workflow with `define` and publishes it on `engine`. */
  publish(id: string, define: (builder: WorkflowBuilder) => WorkflowBuilder): Workflow;
}

export interface ForEachStoreOptions {
  /** Run on these store kinds only (default: every available one). Say why in a comment. */
  only?: readonly StoreKind[];
  /** Options of the engine opened for each test. */
  engine?: Omit<EngineOptions, 'storage'>;
}

export function forEachStore(title: string, body: (ctx: EngineTestContext) => void, options: ForEachStoreOptions = {}): void {
  for (const factory of storeFactories()) {
    if (options.only && !options.only.includes(factory.name)) continue;
    describe(`${title} [${factory.name}]`, function () {
      let target: StoreUnderTest | null = null;
      let engine: Engine | null = null;
      /** Engines the helper owns and closes. */
      const owned = new Set<Engine>();
      /** Engines the test owns and must close. */
      const lent = new Set<Engine>();

      const open = async (engineOptions: Omit<EngineOptions, 'storage'> | undefined): Promise<Engine> =>
        createEngine({ logLevel: 'error', ...options.engine, ...engineOptions, storage: current().storage });
      const current = (): StoreUnderTest => {
        if (!target) throw new Error('No store: the context is only usable inside a test');
        return target;
      };

      const ctx: EngineTestContext = {
        get target() {
          return current();
        },
        get engine() {
          if (!engine) throw new Error('No engine: the context is only usable inside a test');
          return engine;
        },
        async reopenEngine(engineOptions) {
          if (engine) await engine.close();
          engine = await open(engineOptions);
          owned.add(engine);
          return engine;
        },
        async openEngine(engineOptions) {
          const another = await open(engineOptions);
          lent.add(another);
          return another;
        },
        publish(id, define) {
          const workflow = define(ctx.engine.createWorkflow(id)).build();
          ctx.engine.publishWorkflow(workflow);
          return workflow;
        },
      };

      beforeEach(async function () {
        target = await factory.create();
        engine = await open(undefined);
        owned.add(engine);
      });

      afterEach(async function () {
        const problems: string[] = [];
        for (const each of [...owned, ...lent]) {
          const { activeExecutions } = each.stats();
          if (!each.isClosed && activeExecutions > 0) problems.push(`an engine still runs ${activeExecutions} execution(s)`);
        }
        for (const each of lent) if (!each.isClosed) problems.push('an engine opened with ctx.openEngine() was left open');
        for (const each of [...owned, ...lent]) await each.close();
        owned.clear();
        lent.clear();
        engine = null;
        await target?.cleanup();
        target = null;
        if (problems.length > 0 && this.currentTest?.state !== 'failed') {
          // Fails the test that leaked, without aborting the rest of the suite as a throwing hook would.
          (this.test as Mocha.Hook).error(new Error(`Leak after "${this.currentTest?.title}": ${problems.join('; ')}`));
        }
      });

      body(ctx);
    });
  }
}

/** A promise with its resolve function outside, to hold a task until the test lets it go. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `signal` aborts, with its reason. */
export function whenAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

export const TERMINAL_TASK_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled'] as const;
