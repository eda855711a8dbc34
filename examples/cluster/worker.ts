/**
 * A remote worker of the example cluster: runs the 'cpu' queue's steps (with TASK_GRAPH_REDIS set).
 *
 *   TASK_GRAPH_REDIS=redis://127.0.0.1:6379 node --import tsx examples/cluster/worker.ts
 */
import { createWorker } from '../../lib/worker/index.js';
import { redis, reportWorkflow } from './workflow.js';

if (!redis) throw new Error('Set TASK_GRAPH_REDIS=redis://host:port');
const worker = await createWorker({ connection: redis, queue: 'cpu', workflows: [reportWorkflow], concurrency: 2 });
console.log(`  [pid ${process.pid}] worker of queue cpu ready`);
const alive = setInterval(() => undefined, 60_000);
process.on('SIGTERM', () => {
  clearInterval(alive);
  void worker.close().then(() => process.exit(0));
});
