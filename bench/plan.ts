/**
 * What the bench can run: the contenders, the scenarios with their sizes in quick and full mode,
 * and which of them a mode runs by default, in the order they run (the 1M lattice, the longest,
 * last).
 *
 * Quick mode (`npm run bench`) runs the scenarios of targets 1-4, 6 and 7, the chain, the fan and
 * the many small executions at the targets' sizes, the others reduced (the 100k lattice and the
 * 100k resume at 10k, 1,000 retained executions instead of 10,000), without the random DAG, the 1M lattice and the `BullMQ(aof)` column. Full mode
 * (`--full`) runs everything at the issue's sizes. `--only` and `--with` name scenarios and
 * contenders explicitly, whatever the mode's default.
 */
export type ContenderId = 'kahn' | 'p-graph' | 'bullmq' | 'bullmq-aof' | 'memory' | 'sqlite' | 'mysql';

export interface ContenderSpec {
  id: ContenderId;
  label: string;
  /** Peers are the columns ratios are taken against. */
  peer: boolean;
  /** What it needs: nothing, a Redis, or a store the parent creates. */
  needs: 'nothing' | 'redis' | 'durable-redis' | 'memory' | 'sqlite' | 'mysql';
}

export const CONTENDERS: readonly ContenderSpec[] = [
  { id: 'memory', label: 'task-graph(memory)', peer: false, needs: 'memory' },
  { id: 'sqlite', label: 'task-graph(sqlite)', peer: false, needs: 'sqlite' },
  { id: 'mysql', label: 'task-graph(mysql)', peer: false, needs: 'mysql' },
  { id: 'kahn', label: 'kahn', peer: true, needs: 'nothing' },
  { id: 'p-graph', label: 'p-graph', peer: true, needs: 'nothing' },
  { id: 'bullmq', label: 'BullMQ', peer: true, needs: 'redis' },
  { id: 'bullmq-aof', label: 'BullMQ(aof)', peer: true, needs: 'durable-redis' },
];

export type ScenarioName = 'chain' | 'fan' | 'lattice' | 'random' | 'many' | 'lattice1m' | 'resume' | 'inspect' | 'retention';
export type Mode = 'quick' | 'full';

export interface ScenarioSpec {
  name: ScenarioName;
  /** How the scenario is orchestrated (scenarios/*.ts). */
  kind: 'dag' | 'many' | 'resume' | 'inspect' | 'retention';
  /** The worker job (a shape, or a special job). */
  job: 'chain' | 'fan' | 'lattice' | 'random' | 'many' | 'retention';
  describe: (size: number) => string;
  /** Tasks of the graph (fan: middle nodes; many and retention: tasks per execution). */
  size: Record<Mode, number>;
  /** many and retention: executions. */
  executions?: Record<Mode, number>;
  contenders: readonly ContenderId[];
  /** Run by `npm run bench` without --only. */
  inQuick: boolean;
  /** The chain is read as ms per step, the rest as tasks per second. */
  metric: 'throughput' | 'latency';
}

const ALL: readonly ContenderId[] = ['memory', 'sqlite', 'mysql', 'kahn', 'p-graph', 'bullmq', 'bullmq-aof'];
const DURABLE: readonly ContenderId[] = ['sqlite', 'mysql'];

/** Tasks running at once in every DAG scenario (BullMQ: the worker's concurrency). */
export const CONCURRENCY = 64;

/** The heap after this many finished executions is the retention scenario's baseline. */
export const RETENTION_BASELINE = 100;

export const SCENARIOS: readonly ScenarioSpec[] = [
  {
    name: 'chain',
    kind: 'dag',
    job: 'chain',
    describe: (n) => `chain of ${n.toLocaleString('en-US')}: one task at a time`,
    size: { quick: 1_000, full: 1_000 },
    contenders: ALL,
    inQuick: true,
    metric: 'latency',
  },
  {
    name: 'fan',
    kind: 'dag',
    job: 'fan',
    describe: (n) => `fan-out/fan-in: 1 root, ${n.toLocaleString('en-US')} middle tasks, 1 sink`,
    size: { quick: 10_000, full: 10_000 },
    contenders: ALL,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'lattice',
    kind: 'dag',
    job: 'lattice',
    describe: (n) => `lattice of ${n.toLocaleString('en-US')}: layers of 100, two parents each`,
    size: { quick: 10_000, full: 100_000 },
    contenders: ALL,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'random',
    kind: 'dag',
    job: 'random',
    describe: (n) => `random DAG of ${n.toLocaleString('en-US')}: layers of 100, 1-3 parents from the two layers above (seed 42)`,
    size: { quick: 10_000, full: 10_000 },
    contenders: ALL,
    inQuick: false,
    metric: 'throughput',
  },
  {
    name: 'many',
    kind: 'many',
    job: 'many',
    describe: (n) => `many small executions: ${n}-task fan-ins (${n - 1} tasks, then a sink) started at once on one engine; BullMQ: FlowProducer flows`,
    size: { quick: 10, full: 10 },
    executions: { quick: 1_000, full: 1_000 },
    contenders: ALL,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'resume',
    kind: 'resume',
    job: 'lattice',
    describe: (n) => `resume of a ${n.toLocaleString('en-US')}-task lattice killed (SIGKILL) half-way, then reading it back`,
    size: { quick: 10_000, full: 100_000 },
    contenders: DURABLE,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'inspect',
    kind: 'inspect',
    job: 'lattice',
    describe: (n) => `inspect --format html of a finished ${n.toLocaleString('en-US')}-task lattice`,
    size: { quick: 10_000, full: 10_000 },
    contenders: DURABLE,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'retention',
    kind: 'retention',
    job: 'retention',
    describe: (n) => `heap after finished executions of ${n} tasks (waves of 100) vs after ${RETENTION_BASELINE}`,
    size: { quick: 10, full: 10 },
    executions: { quick: 1_000, full: 10_000 },
    contenders: DURABLE,
    inQuick: true,
    metric: 'throughput',
  },
  {
    name: 'lattice1m',
    kind: 'dag',
    job: 'lattice',
    describe: (n) => `lattice of ${n.toLocaleString('en-US')}: layers of 100, two parents each`,
    size: { quick: 1_000_000, full: 1_000_000 },
    contenders: ['memory', 'sqlite', 'kahn', 'p-graph'],
    inQuick: false,
    metric: 'throughput',
  },
];

export function contenderSpec(id: ContenderId): ContenderSpec {
  return CONTENDERS.find((contender) => contender.id === id)!;
}

/** A lattice or random DAG needs whole layers of 100; `--scale` keeps sizes valid. */
export function scaledSize(spec: ScenarioSpec, mode: Mode, scale: number): number {
  const size = spec.size[mode];
  if (scale === 1 || spec.kind === 'many' || spec.kind === 'retention') return size;
  const scaled = Math.max(2, Math.round(size * scale));
  return spec.job === 'lattice' || spec.job === 'random' ? Math.max(200, Math.round(scaled / 100) * 100) : scaled;
}

export function scaledExecutions(spec: ScenarioSpec, mode: Mode, scale: number): number {
  const executions = spec.executions?.[mode] ?? 1;
  return scale === 1 ? executions : Math.max(spec.kind === 'retention' ? 2 * RETENTION_BASELINE : 2, Math.round(executions * scale));
}
