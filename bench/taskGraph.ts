/**
 * task-graph as a contender: one engine per storage, the scenario's workflow built once (and
 * published to the engine of every storage), then one `execute` per measured run. The clock
 * covers `execute` only, which includes writing the execution row and its pending task rows;
 * building the workflow is timed apart.
 * Each run is checked: status 'succeeded' and every task succeeded. The writer's counters are
 * read before and after, so each run reports its own commits and transitions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { createEngine } from '../lib/index.js';
import type { Engine, Workflow } from '../lib/index.js';
import { noop } from './dags.js';
import type { Dag } from './dags.js';
import type { Contender, RunMeasure } from './measure.js';

export type StorageKind = 'memory' | 'sqlite' | 'mysql';

const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root' };

/** A workflow is plain data, valid in any engine: built once per DAG, with the time it took. */
const built = new WeakMap<Dag, { workflow: Workflow; buildMs: number }>();

function buildWorkflow(engine: Engine, dag: Dag): { workflow: Workflow; buildMs: number } {
  let entry = built.get(dag);
  if (!entry) {
    const started = performance.now();
    const builder = engine.createWorkflow(`bench-${dag.ids.length}`);
    for (const id of dag.ids) builder.addTask(id, id, noop);
    for (const [from, to] of dag.edges) builder.addDependency(from, to);
    entry = { workflow: builder.build(), buildMs: performance.now() - started };
    built.set(dag, entry);
  }
  return entry;
}

/** A task-graph contender on one storage; `unavailable` names why it cannot run here. */
export function taskGraphContender(kind: StorageKind): Contender {
  let engine: Engine | null = null;
  let cleanup: () => Promise<void> = async () => undefined;
  let workflowId = '';
  let size = 0;
  return {
    name: `task-graph(${kind})`,
    async unavailable() {
      if (kind !== 'mysql') return null;
      try {
        const connection = await createConnection({ ...MYSQL_SERVER, connectTimeout: 2_000 });
        await connection.end();
        return null;
      } catch (error) {
        return `MariaDB/MySQL at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port} unreachable (${(error as Error).message})`;
      }
    },
    async prepare(dag: Dag) {
      const storage = await openStorage(kind);
      cleanup = storage.cleanup;
      engine = await createEngine({ storage: storage.url, logLevel: 'error' });
      const { workflow, buildMs } = buildWorkflow(engine, dag);
      engine.publishWorkflow(workflow);
      workflowId = workflow.id;
      size = dag.ids.length;
      return { buildMs };
    },
    async run(concurrency: number): Promise<RunMeasure> {
      const before = engine!.stats();
      const started = performance.now();
      const result = await engine!.execute(workflowId, {}, { concurrency });
      const ms = performance.now() - started;
      const after = engine!.stats();
      const succeeded = Object.values(result.tasks).filter((task) => task.status === 'succeeded').length;
      const problem =
        result.status !== 'succeeded' ? `status ${result.status}` : succeeded !== size ? `${succeeded}/${size} tasks succeeded` : null;
      return {
        ms,
        done: succeeded,
        problem,
        transitions: after.entries - before.entries,
        commits: after.commits - before.commits,
        largestBatch: after.largestBatch,
      };
    },
    async dispose() {
      await engine?.close();
      engine = null;
      await cleanup();
    },
  };
}

async function openStorage(kind: StorageKind): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (kind === 'memory') return { url: 'memory', cleanup: async () => undefined };
  if (kind === 'sqlite') {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'tg-bench-'));
    return { url: `sqlite:${path.join(directory, 'bench.db')}`, cleanup: () => rm(directory, { recursive: true, force: true }) };
  }
  const database = `tg_bench_${randomBytes(4).toString('hex')}`;
  const server = await createConnection(MYSQL_SERVER);
  await server.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await server.end();
  return {
    url: `mysql://root@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/${database}`,
    cleanup: async () => {
      const connection = await createConnection(MYSQL_SERVER);
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    },
  };
}
