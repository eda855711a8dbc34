/**
 * The example cluster's workflow: five steps, each taking a second, so that there is time to kill
 * the engine running it. Each step says which process ran it. With TASK_GRAPH_REDIS
 * (redis://host:port) set, 'aggregate' runs on a remote worker of the queue 'cpu' (worker.ts).
 */
import { createWorkflow } from '../../lib/index.js';
import type { TaskContext } from '../../lib/index.js';

const step = (name: string) => async (_input: unknown, ctx: TaskContext) => {
  ctx.logger.info(`${name} in process ${process.pid}`);
  console.log(`  [pid ${process.pid}] ${name} (attempt ${ctx.attempt})`);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return { ranIn: process.pid };
};

/** Redis for the remote step, from TASK_GRAPH_REDIS, or undefined (every step runs in its engine). */
export const redis = process.env['TASK_GRAPH_REDIS'] ? (({ hostname, port }) => ({ host: hostname, port: Number(port || 6379) }))(new URL(process.env['TASK_GRAPH_REDIS'])) : undefined;

export const reportWorkflow = createWorkflow('nightly-report', { version: '1' })
  .addTask('extract', 'Extract', step('extract'))
  .addTask('clean', 'Clean', step('clean'))
  .addTask('aggregate', 'Aggregate', step('aggregate'), redis ? { queue: 'cpu' } : {})
  .addTask('render', 'Render', step('render'))
  .addTask('publish', 'Publish', step('publish'))
  .addDependency('extract', 'clean')
  .addDependency('clean', 'aggregate')
  .addDependency('aggregate', 'render')
  .addDependency('render', 'publish')
  .build();
