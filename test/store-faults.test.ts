/**
 * The database going away during a run (MariaDB only): a connection killed mid-run with KILL from
 * a second connection, and an outage during which every connection is killed as soon as it
 * appears. The run finishes, every transition is present exactly once with no gap, and while the
 * store cannot commit no task starts.
 */
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import winston from 'winston';
import Transport from 'winston-transport';
import { createEngine } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { MYSQL_ENV, storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

const factory = storeFactories().find((candidate) => candidate.name === 'mysql');

/** Captures the engine's warnings, with the time each was logged. */
class CaptureTransport extends Transport {
  readonly warnings: { at: number; message: string }[] = [];
  override log(info: { level: string; message: unknown }, next: () => void): void {
    if (info.level === 'warn') this.warnings.push({ at: Date.now(), message: String(info.message) });
    next();
  }
}

describe('store faults [mysql]', function () {
  this.timeout(120_000);
  let target: StoreUnderTest;
  let admin: mysql.Connection;
  let engine: Engine | null = null;
  let database: string;

  before(function () {
    if (!factory) {
      console.log(`  store fault tests skipped: they need MariaDB (${MYSQL_ENV})`);
      this.skip();
    }
  });
  beforeEach(async () => {
    target = await factory!.create();
    database = new URL(target.url).pathname.slice(1);
    const server = new URL(process.env[MYSQL_ENV]!);
    admin = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root') });
  });
  afterEach(async () => {
    await engine?.close();
    engine = null;
    await admin.end();
    await target.cleanup();
  });

  /** Kills every connection to the test database but the admin's own; returns how many. */
  async function killConnections(): Promise<number> {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()',
      [database],
    );
    for (const row of rows) await admin.query(`KILL ${Number(row['id'])}`).catch(() => undefined);
    return rows.length;
  }

  async function openEngine(capture: CaptureTransport): Promise<Engine> {
    const logger = winston.createLogger({ level: 'warn', transports: [capture] });
    engine = await createEngine({ storage: target.url, logger, concurrency: 4 });
    const builder = engine.createWorkflow('fault-test');
    const width = 6;
    for (let layer = 0; layer < 10; layer++) {
      for (let i = 0; i < width; i++) {
        builder.addTask(`t${layer}-${i}`, 'step', async () => {
          starts.push(Date.now());
          await new Promise((resolve) => setTimeout(resolve, 10));
          return { layer, i };
        });
        if (layer > 0) builder.addDependency(`t${layer - 1}-${i}`, `t${layer}-${i}`);
      }
    }
    engine.publishWorkflow(builder.build());
    return engine;
  }
  let starts: number[] = [];

  async function expectComplete(run: Engine, executionId: string): Promise<void> {
    const transitions = await run.listTransitions(executionId);
    expect(transitions.map((t) => t.seq), 'seq is gap-free').to.deep.equal(transitions.map((_, index) => index + 1));
    const successes = transitions.filter((t) => t.taskId !== null && t.to === 'succeeded').map((t) => t.taskId);
    expect(successes).to.have.length(60);
    expect(new Set(successes).size, 'each success recorded once').to.equal(60);
    const fresh = await createEngine({ storage: target.url, logLevel: 'error' });
    try {
      expect((await fresh.getExecution(executionId)).status).to.equal('succeeded');
      expect(await fresh.listTransitions(executionId)).to.deep.equal(transitions);
    } finally {
      await fresh.close();
    }
  }

  it('finishes a run whose connection is killed mid-run, writing every transition once', async () => {
    starts = [];
    const capture = new CaptureTransport();
    const run = await openEngine(capture);
    const handle = run.start('fault-test', {});
    await waitUntil(() => handle.progress().succeeded >= 15, '15 tasks succeeded');
    expect(await killConnections()).to.be.greaterThan(0);
    const result = await handle.result;
    expect(result.status).to.equal('succeeded');
    await expectComplete(run, handle.id);
  });

  it('starts no task while the store cannot commit, and continues when it is back', async () => {
    starts = [];
    const capture = new CaptureTransport();
    const run = await openEngine(capture);
    const handle = run.start('fault-test', {});
    await waitUntil(() => handle.progress().succeeded >= 15, '15 tasks succeeded');
    const outageEnds = Date.now() + 1500;
    while (Date.now() < outageEnds) {
      await killConnections();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const result = await handle.result;
    expect(result.status).to.equal('succeeded');
    const failures = capture.warnings.filter((warning) => warning.message.includes('Commit to'));
    expect(failures.length, 'the outage was seen by the writer').to.be.greaterThan(0);
    // Failures are logged as "(n in a row)": a run of 1, 2, 3, ... means no commit succeeded in
    // between, so the writer was unhealthy from the first to the last, and no task may start then.
    const inRow = failures.map((warning) => Number(/\((\d+) in a row\)/.exec(warning.message)?.[1]));
    const lastOfFirstRun = inRow.findIndex((n, index) => index > 0 && n !== inRow[index - 1]! + 1);
    const run1 = failures.slice(0, lastOfFirstRun === -1 ? failures.length : lastOfFirstRun);
    expect(inRow[0]).to.equal(1);
    const from = run1[0]!.at;
    const to = run1.at(-1)!.at;
    expect(starts.filter((at) => at > from && at < to), `tasks started between failed commits (${from}..${to})`).to.deep.equal([]);
    await expectComplete(run, handle.id);
    // The outage is in the execution's own logs too.
    const stored = (await run.listLogs(handle.id)).filter((log) => log.level === 'warn' && log.message.includes('Commit to'));
    expect(stored.length).to.be.greaterThan(0);
  });
});
