/**
 * A module for the CLI: it publishes workflows on the engine it is given.
 *
 *   npx task-graph run examples/workflows.ts --workflow nightly-etl
 *   (Ctrl-C, or kill -9, half-way)
 *   npx task-graph list --status running
 *   npx task-graph resume <id> --module examples/workflows.ts
 *   npx task-graph inspect <id> --format html --out report.html
 */
import type { Engine, TaskContext } from '../lib/index.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });

/** Partitions are extracted in parallel, transformed, then loaded and reported on. */
export default function register(engine: Engine): void {
  const partitions = 24;
  const builder = engine.createWorkflow('nightly-etl').setDescription('extract, transform and load 24 partitions');
  builder.addTask('plan', 'Plan partitions', async (_input: unknown, ctx: TaskContext) => {
    await sleep(200, ctx.signal);
    return { partitions };
  });
  for (let p = 0; p < partitions; p++) {
    builder.addTask(`extract-${p}`, `Extract partition ${p}`, async (_input: unknown, ctx: TaskContext) => {
      await sleep(300 + (p % 5) * 100, ctx.signal);
      return { [`rows-${p}`]: 1000 + p };
    });
    builder.addTask(
      `transform-${p}`,
      `Transform partition ${p}`,
      async (_input: unknown, ctx: TaskContext) => {
        await sleep(300, ctx.signal);
        if (p === 7 && ctx.attempt === 1) throw new Error(`partition ${p}: transient lock timeout`);
        ctx.logger.info('transformed', { partition: p, key: ctx.idempotencyKey });
        return { [`clean-${p}`]: true };
      },
      { retry: { maxAttempts: 3, initialDelayMs: 500, jitter: 'none' }, timeoutMs: 10_000 },
    );
    builder.addDependency('plan', `extract-${p}`).addDependency(`extract-${p}`, `transform-${p}`);
  }
  builder.addTask('load', 'Load the warehouse', async (_input: unknown, ctx: TaskContext) => {
    await sleep(500, ctx.signal);
    return { loaded: partitions };
  });
  builder.addTask('report', 'Send the report', async (input: { loaded: number }) => ({ sent: true, loaded: input.loaded }));
  for (let p = 0; p < partitions; p++) builder.addDependency(`transform-${p}`, 'load');
  builder.addDependency('load', 'report');
  engine.publishWorkflow(builder.build());
}
