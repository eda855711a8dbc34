/**
 * The example cluster's workflow: five steps, each taking a second, so that there is time to kill
 * the engine running it. Each step says which process ran it.
 */
import { createWorkflow } from '../../lib/index.js';
import type { TaskContext } from '../../lib/index.js';

const step = (name: string) => async (_input: unknown, ctx: TaskContext) => {
  ctx.logger.info(`${name} in process ${process.pid}`);
  console.log(`  [pid ${process.pid}] ${name} (attempt ${ctx.attempt})`);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return { ranIn: process.pid };
};

export const reportWorkflow = createWorkflow('nightly-report', { version: '1' })
  .addTask('extract', 'Extract', step('extract'))
  .addTask('clean', 'Clean', step('clean'))
  .addTask('aggregate', 'Aggregate', step('aggregate'))
  .addTask('render', 'Render', step('render'))
  .addTask('publish', 'Publish', step('publish'))
  .addDependency('extract', 'clean')
  .addDependency('clean', 'aggregate')
  .addDependency('aggregate', 'render')
  .addDependency('render', 'publish')
  .build();
