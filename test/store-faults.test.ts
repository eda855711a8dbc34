/**
 * The database going away during a run (MariaDB and PostgreSQL): a connection killed mid-run from
 * a second connection (KILL on MariaDB, pg_terminate_backend on PostgreSQL), and an outage during
 * which every connection is killed as soon as it appears. The run finishes, every transition is
 * present exactly once with no gap, and while the store cannot commit no task starts.
 */
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import pg from 'pg';
import winston from 'winston';
import Transport from 'winston-transport';
import { createEngine } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { MYSQL_ENV, POSTGRES_ENV, postgresDatabaseUrl, storeFactories } from './support/stores.js';
import type { StoreKind, StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

/** Captures the engine's warnings, with the time each was logged. */
class CaptureTransport extends Transport {
  readonly warnings: { at: number; message: string }[] = [];
  override log(info: { level: string; message: unknown }, next: () => void): void {
    if (info.level === 'warn') this.warnings.push({ at: Date.now(), message: String(info.message) });
    next();
  }
}

/** A connection to the server that kills the test database's other connections. */
interface Killer {
  /** Kills every connection to the test database but its own; returns how many. */
  killConnections(): Promise<number>;
  end(): Promise<void>;
}

async function mysqlKiller(database: string): Promise<Killer> {
  const server = new URL(process.env[MYSQL_ENV]!);
  const admin = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root') });
  return {
    async killConnections() {
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [database]);
      for (const row of rows) await admin.query(`KILL ${Number(row['id'])}`).catch(() => undefined);
      return rows.length;
    },
    end: () => admin.end(),
  };
}

async function postgresKiller(database: string): Promise<Killer> {
  const admin = new pg.Client({ connectionString: postgresDatabaseUrl(process.env[POSTGRES_ENV]!, 'postgres') });
  await admin.connect();
  return {
    async killConnections() {
      const { rows } = await admin.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      return rows.length;
    },
    end: () => admin.end(),
  };
}

const KILLERS: Partial<Record<StoreKind, { server: string; variable: string; open: (database: string) => Promise<Killer> }>> = {
  mysql: { server: 'MariaDB', variable: MYSQL_ENV, open: mysqlKiller },
  postgres: { server: 'PostgreSQL', variable: POSTGRES_ENV, open: postgresKiller },
};

for (const kind of ['mysql', 'postgres'] as const) {
  const factory = storeFactories().find((candidate) => candidate.name === kind);
  const killer = KILLERS[kind]!;

  describe(`store faults [${kind}]`, function () {
    this.timeout(120_000);
    let target: StoreUnderTest;
    let admin: Killer;
    let engine: Engine | null = null;

    before(function () {
      if (!factory) {
        console.log(`  store fault tests skipped: they need ${killer.server} (${killer.variable})`);
        this.skip();
      }
    });
    beforeEach(async () => {
      target = await factory!.create();
      admin = await killer.open(new URL(target.url).pathname.slice(1));
    });
    afterEach(async () => {
      await engine?.close();
      engine = null;
      await admin.end();
      await target.cleanup();
    });

    const killConnections = () => admin.killConnections();

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
}
