/**
 * How fast the dashboard's executions page answers with many executions in the store:
 * `tsx bench/dashboardList.ts <storage-url> [count]` fills an empty database with `count`
 * executions (default 100,000: five workflows, every status, one per second of creation time),
 * then times `GET /api/executions` over real HTTP (first page, by status, by workflow, a page
 * deep in the cursor chain, a time range), each the median of 15 requests after 3 warm-ups, and
 * prints the query plans of the list's SQL (EXPLAIN on SQLite and MySQL/MariaDB).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sequelize } from 'sequelize';
import { createDashboard } from '../lib/dashboard/createDashboard.js';
import type { ExecutionRecord, ExecutionStatus } from '../lib/store/records.js';
import { SequelizeStore } from '../lib/store/sequelize/SequelizeStore.js';

const url = process.argv[2];
const count = Number(process.argv[3] ?? 100_000);
if (!url) throw new Error('usage: tsx bench/dashboardList.ts <storage-url> [count]');

const STATUSES: ExecutionStatus[] = ['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running', 'pending'];
const store = new SequelizeStore({ url });
await store.open();
const existing = (await store.countExecutions({})) as Record<string, number>;
const have = Object.values(existing).reduce((sum, n) => sum + n, 0);
const start = Date.UTC(2025, 0, 1);
if (have < count) {
  const began = Date.now();
  for (let offset = have; offset < count; offset += 1000) {
    const created = [];
    for (let i = offset; i < Math.min(count, offset + 1000); i++) {
      const status = STATUSES[i % STATUSES.length]!;
      const createdAt = new Date(start + i * 1000);
      const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
      const execution: ExecutionRecord = {
        id: randomUUID(), workflowId: `wf-${i % 5}`, workflowVersion: 'v1', status, input: { i }, output: null,
        error: status === 'failed' ? { name: 'Error', message: 'boom' } : null, concurrency: 8, failurePolicy: 'continue',
        createdAt, startedAt: createdAt, finishedAt: finished ? new Date(createdAt.getTime() + 500) : null, ownerId: null, heartbeatAt: null,
        graph: { description: '', tasks: [{ id: 'a', name: 'A' }], edges: [] }, traceparent: null,
      };
      created.push({ execution, tasks: [] });
    }
    await store.commit({ created, transitions: [], taskRuns: [], executions: [] });
  }
  console.log(`inserted ${count - have} executions in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

const dashboard = createDashboard({ storage: store });
const server = http.createServer(dashboard.handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function time(path: string): Promise<{ median: number; body: { executions: unknown[]; nextCursor: string | null } }> {
  let body: { executions: unknown[]; nextCursor: string | null } = { executions: [], nextCursor: null };
  const times: number[] = [];
  for (let i = 0; i < 18; i++) {
    const began = performance.now();
    const response = await fetch(base + path);
    body = (await response.json()) as typeof body;
    if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
    if (i >= 3) times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, body };
}

const rows: [string, string][] = [
  ['first page (50)', '/api/executions'],
  ['status=failed', '/api/executions?status=failed'],
  ['status=running,pending', '/api/executions?status=running,pending'],
  ['workflow=wf-3', '/api/executions?workflow=wf-3'],
  ['workflow=wf-3&status=failed', '/api/executions?workflow=wf-3&status=failed'],
  ['a 6-hour range', `/api/executions?from=${new Date(start + 20_000_000).toISOString()}&before=${new Date(start + 20_021_600).toISOString()}`],
];
for (const [name, path] of rows) {
  const { median, body } = await time(path);
  console.log(`${name.padEnd(30)} ${median.toFixed(1).padStart(7)} ms  (${body.executions.length} rows)`);
}
let cursor: string | null = null;
for (let page = 0; page < 100; page++) {
  const response = (await (await fetch(`${base}/api/executions?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as { nextCursor: string | null };
  cursor = response.nextCursor;
}
const deep = await time(`/api/executions?cursor=${encodeURIComponent(cursor!)}`);
console.log(`${'page after 50,000 rows'.padEnd(30)} ${deep.median.toFixed(1).padStart(7)} ms  (${deep.body.executions.length} rows)`);

// The plans of the list's statements, on a connection of our own.
const sequelize = url.startsWith('sqlite:') ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false }) : new Sequelize(url, { logging: false });
{
  const explain = sequelize.getDialect() === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN';
  const q = sequelize.getDialect() === 'postgres' ? '"' : sequelize.getDialect() === 'mysql' ? '`' : '`';
  const table = `${q}tg_executions${q}`;
  for (const [name, where] of [
    ['first page', '1=1'],
    ['status', "status IN ('failed')"],
    ['workflow', "workflow_id = 'wf-3'"],
    ['cursor', "created_at <= '2025-01-02' AND (created_at < '2025-01-02' OR id < 'x')"],
  ]) {
    const [plan] = await sequelize.query(`${explain} SELECT * FROM ${table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 51`);
    console.log(`plan ${name}: ${JSON.stringify(plan)}`);
  }
  const [countPlan] = await sequelize.query(`${explain} SELECT status, COUNT(id) FROM ${table} GROUP BY status`);
  console.log(`plan counts: ${JSON.stringify(countPlan)}`);
  await sequelize.close();
}
await dashboard.close();
server.closeAllConnections();
server.close();
await store.close();
