/**
 * One replica of the example cluster: an engine with recovery on, short leases (so the demo is
 * quick), and the workflow published. It runs until it is killed or gets SIGTERM.
 *
 *   node --import tsx examples/cluster/engine.ts <storage>
 */
import { createEngine } from '../../lib/index.js';
import { redis, reportWorkflow } from './workflow.js';

const storage = process.argv[2] ?? process.env['TASK_GRAPH_STORAGE'];
const engine = await createEngine({
  storage,
  logLevel: 'warn',
  workflows: [reportWorkflow],
  leaseMs: 3_000,
  heartbeatIntervalMs: 500,
  recover: true,
  recoveryIntervalMs: 500,
  ...(redis ? { redis } : {}),
});
console.log(`  [pid ${process.pid}] engine ${engine.id} ready`);
// The engine's timers do not hold the process open (a service has its server for that): this does.
const alive = setInterval(() => undefined, 60_000);
process.on('SIGTERM', () => {
  clearInterval(alive);
  void engine.close().then(() => process.exit(0));
});
