/**
 * One measured run in a fresh process, started by `bench/run.ts` (compiled to JavaScript first,
 * see compileWorker.ts; to debug one run, `node --import tsx --expose-gc bench/worker.ts …` works):
 *
 *   node --expose-gc <build>/bench/worker.js <job> <contender> [--size n] [--concurrency n]
 *     [--storage url] [--redis host:port] [--server-pid n] [--execution id] [--executions n] [--baseline n]
 *
 * Jobs: `chain`, `fan`, `lattice`, `random` (one DAG of that shape and size), `many` (`executions`
 * fan-ins of `size` tasks started at once), `victim`, `resume`, `readback`, `inspect` (a lattice
 * of `size` on a durable store, see taskGraphRecovery.ts), `retention` (see taskGraphJobs.ts).
 * Contenders: `kahn`, `p-graph`, `bullmq`, `bullmq-aof` (Redis at `--redis`), `memory`, `sqlite`,
 * `mysql` (task-graph on `--storage`, a fresh store the parent made).
 *
 * It prints protocol lines (workerProtocol.ts) on stdout, the last one the result, and exits 0;
 * a crash exits non-zero with the error on stderr. Modules are imported by job, so a peer's
 * process never loads task-graph (its peak RSS is its own).
 */
import { buildShape } from './shapes.js';
import type { ShapeName } from './shapes.js';
import { emit } from './workerProtocol.js';
import type { WorkerResult } from './workerProtocol.js';
import type { PeerName } from './peerJobs.js';

const SHAPES: readonly string[] = ['chain', 'fan', 'lattice', 'random'];
const PEERS: readonly string[] = ['kahn', 'p-graph', 'bullmq', 'bullmq-aof'];

interface WorkerArgs {
  job: string;
  contender: string;
  options: Map<string, string>;
}

function parseArgs(argv: readonly string[]): WorkerArgs {
  const [job, contender, ...rest] = argv;
  if (!job || !contender) throw new Error('usage: worker.ts <job> <contender> [--option value]...');
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!;
    if (!flag.startsWith('--') || rest[i + 1] === undefined) throw new Error(`expected --option value, got ${JSON.stringify(rest.slice(i))}`);
    options.set(flag.slice(2), rest[i + 1]!);
  }
  return { job, contender, options };
}

function numberOption(options: Map<string, string>, name: string, fallback?: number): number {
  const text = options.get(name);
  const value = text === undefined ? fallback : Number(text);
  if (value === undefined || !Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

function textOption(options: Map<string, string>, name: string): string {
  const value = options.get(name);
  if (value === undefined) throw new Error(`--${name} is required for this job`);
  return value;
}

async function runJob({ job, contender, options }: WorkerArgs): Promise<WorkerResult> {
  const size = numberOption(options, 'size');
  const concurrency = numberOption(options, 'concurrency', 64);
  const serverPidText = options.get('server-pid');
  const serverPid = serverPidText === undefined ? undefined : Number(serverPidText);
  const shape: ShapeName = SHAPES.includes(job) ? (job as ShapeName) : job === 'many' || job === 'retention' ? 'fanIn' : 'lattice';
  const dag = buildShape(shape, size);
  if (PEERS.includes(contender)) {
    const { runPeer } = await import('./peerJobs.js');
    const redisText = options.get('redis');
    const [host, port] = (redisText ?? '').split(':');
    const redis = redisText ? { host: host!, port: Number(port) } : undefined;
    const peer = { peer: contender as PeerName, concurrency, ...(redis ? { redis } : {}), ...(serverPid ? { serverPid } : {}) };
    if (SHAPES.includes(job)) return runPeer(peer, dag);
    if (job === 'many') return runPeer(peer, dag, numberOption(options, 'executions'));
    throw new Error(`job ${job} is task-graph's only`);
  }
  const storage = contender === 'memory' ? 'memory' : textOption(options, 'storage');
  const run = { storage, concurrency, ...(serverPid ? { serverPid } : {}) };
  if (SHAPES.includes(job) || job === 'many' || job === 'retention') {
    const { runDag, runMany, runRetention } = await import('./taskGraphJobs.js');
    if (job === 'many') return runMany(run, dag, numberOption(options, 'executions'));
    if (job === 'retention') return runRetention(run, dag, numberOption(options, 'executions'), numberOption(options, 'baseline'));
    return runDag(run, dag);
  }
  const recovery = await import('./taskGraphRecovery.js');
  switch (job) {
    case 'victim':
      return recovery.runVictim(storage, dag, concurrency);
    case 'resume':
      return recovery.runResume(storage, dag, textOption(options, 'execution'));
    case 'readback':
      return recovery.runReadBack(storage, textOption(options, 'execution'), size);
    case 'inspect':
      return recovery.runInspect(storage, textOption(options, 'execution'), dag);
    default:
      throw new Error(`unknown job ${JSON.stringify(job)}`);
  }
}

runJob(parseArgs(process.argv.slice(2))).then(
  (result) => {
    emit(result);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
