/**
 * What a failed commit does to the executions sharing the group-commit writer, on every store.
 *
 * - A permanent refusal (a row the store refuses for good) used to stall every execution: the
 *   writer retried the mixed batch for ever. Now the batch is committed apart, per execution;
 *   the refused execution stops (its result rejects with a StorageError naming the cause, code
 *   COMMIT_REFUSED, logged with its executionId), the others commit on, the engine keeps
 *   working, and nothing of the refused commit is stored (so it resumes once the cause is gone).
 * - A transient failure (a lost connection) is retried: a commit that was written but whose
 *   acknowledgement was lost is written again without doubling anything.
 * The refusal comes from a wrapper around the real store (every store), and from the database
 * itself, a trigger refusing the row (SQLite, MariaDB and PostgreSQL).
 */
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import winston from 'winston';
import Transport from 'winston-transport';
import { createEngine, StorageError } from '../lib/index.js';
import type { Engine, ExecutionHandle, Store } from '../lib/index.js';
import { forEachStore, waitUntil } from './support/engines.js';
import type { EngineTestContext } from './support/engines.js';
import { FlakyStore, refusedWith } from './support/FlakyStore.js';

/** Keeps the engine's log records (and keeps them off the console). */
class CaptureTransport extends Transport {
  readonly records: { level: string; message: string; executionId: unknown }[] = [];
  override log(info: { level: string; message: unknown; executionId?: unknown }, next: () => void): void {
    this.records.push({ level: info.level, message: String(info.message), executionId: info.executionId });
    next();
  }
}

const TOO_LONG = "Data too long for column 'task_id' at row 1";

function publishWorkflows(engine: Engine): void {
  engine.publishWorkflow(
    engine
      .createWorkflow('good')
      .addTask('g1', 'G1', () => 1)
      .addTask('g2', 'G2', () => 2)
      .addTask('g3', 'G3', () => 3)
      .addDependency('g1', 'g2')
      .addDependency('g2', 'g3')
      .build(),
  );
  engine.publishWorkflow(engine.createWorkflow('bad').addTask('poison', 'Poison', () => 'never stored').build());
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

/** The execution's log is gap-free from seq 1, and its tasks' successes are each stored once. */
async function expectCompleteLog(engine: Engine, executionId: string, successes: readonly string[]): Promise<void> {
  const transitions = await engine.listTransitions(executionId);
  expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, index) => index + 1));
  expect(transitions.filter((t) => t.taskId !== null && t.to === 'succeeded').map((t) => t.taskId)).to.have.members([...successes]);
  expect(transitions.filter((t) => t.taskId !== null && t.to === 'succeeded')).to.have.length(successes.length);
}

/** The refused execution: its result rejects naming the cause; nothing of the refused commit is stored. */
async function expectStopped(engine: Engine, handle: ExecutionHandle, cause: string, capture: CaptureTransport): Promise<void> {
  const error = await rejection(handle.result);
  expect(error).to.be.instanceOf(StorageError);
  expect((error as StorageError).code).to.equal('COMMIT_REFUSED');
  expect((error as StorageError).executionId).to.equal(handle.id);
  expect((error as StorageError).message).to.contain(handle.id).and.to.contain(cause);
  const logged = capture.records.filter((record) => record.level === 'error' && record.executionId === handle.id);
  expect(logged.map((record) => record.message)).to.deep.equal([(error as StorageError).message]);
  const transitions = await engine.listTransitions(handle.id);
  expect(transitions.filter((t) => t.taskId === 'poison')).to.deep.equal([]);
  expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, index) => index + 1));
}

forEachStore('commit failures', (ctx: EngineTestContext) => {
  let engine: Engine | null = null;
  let capture: CaptureTransport;
  afterEach(async () => {
    await engine?.close();
    engine = null;
  });

  async function openOn(storage: string | Store): Promise<Engine> {
    capture = new CaptureTransport();
    engine = await createEngine({ storage, logger: winston.createLogger({ level: 'info', transports: [capture] }) });
    publishWorkflows(engine);
    return engine;
  }

  it('stops only the execution whose commit the store refuses; the others of the same batch commit on', async () => {
    const flaky = new FlakyStore(ctx.target.store);
    flaky.refuse = (batch) => (batch.transitions.some((t) => t.taskId === 'poison') ? refusedWith(TOO_LONG, { code: 'ER_DATA_TOO_LONG' }) : undefined);
    const run = await openOn(flaky);

    // The three executions are created by one commit; the commits after it wait, so the next
    // batch holds entries of all three.
    let release: (() => void) | null = null;
    flaky.afterCommit = (batch) => void ((batch.created?.length ?? 0) > 0 && (release ??= flaky.hold()));
    const first = run.start('good', {});
    const bad = run.start('bad', {});
    const other = run.start('good', {});
    await waitUntil(() => bad.progress().succeeded === 1 && other.progress().succeeded === 1, 'both tasks succeeded, uncommitted');
    expect(flaky.waiting, 'a commit waits').to.equal(1);
    release!();

    expect((await first.result).status).to.equal('succeeded');
    expect((await other.result).status).to.equal('succeeded');
    await expectStopped(run, bad, TOO_LONG, capture);
    const executionsOf = (index: number) => new Set(flaky.refused[index]!.transitions.map((t) => t.executionId));
    expect(executionsOf(0), 'the batch first refused mixed executions').to.include(bad.id).and.to.include(other.id);
    expect([...executionsOf(flaky.refused.length - 1)], 'then only the refused execution was refused').to.deep.equal([bad.id]);
    await expectCompleteLog(run, first.id, ['g1', 'g2', 'g3']);
    await expectCompleteLog(run, other.id, ['g1', 'g2', 'g3']);

    // The engine keeps working, and the stopped execution resumes once the store takes it.
    expect((await run.execute('good', {})).status).to.equal('succeeded');
    flaky.refuse = () => undefined;
    const resumed = await run.resume(bad.id);
    expect(resumed.status).to.equal('succeeded');
    expect(resumed.tasks['poison']!.output).to.equal('never stored');
    await expectCompleteLog(run, bad.id, ['poison']);
    expect(run.stats().activeExecutions).to.equal(0);
  });

  it('retries a commit that was written but whose acknowledgement was lost, storing nothing twice', async () => {
    const flaky = new FlakyStore(ctx.target.store);
    const run = await openOn(flaky);
    flaky.loseAcknowledgements = 2;
    const result = await run.execute('good', {});
    expect(result.status).to.equal('succeeded');
    expect(flaky.loseAcknowledgements).to.equal(0);
    await expectCompleteLog(run, result.id, ['g1', 'g2', 'g3']);
    const retried = capture.records.filter((record) => record.level === 'warn' && record.message.includes('retrying'));
    expect(retried, 'the lost acknowledgements were retried').to.have.length(2);
  });

  it('stops only the execution whose row the database itself refuses (a trigger)', async function () {
    if (ctx.target.name === 'memory') this.skip(); // a trigger needs a database; the wrapper test covers memory
    await addRefusingTrigger(ctx.target.url);
    const run = await openOn(ctx.target.url);
    const bad = run.start('bad', {});
    const good = run.start('good', {});
    expect((await good.result).status).to.equal('succeeded');
    await expectStopped(run, bad, 'poison refused by a trigger', capture);
    expect((await run.execute('good', {})).status).to.equal('succeeded');
    await dropRefusingTrigger(ctx.target.url);
    expect((await run.resume(bad.id)).status).to.equal('succeeded');
  });
});

/** A trigger refusing any transition of a task named 'poison', on the test's SQLite file, MariaDB or PostgreSQL database. */
async function addRefusingTrigger(url: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    await onSqlite(
      url,
      "CREATE TRIGGER tg_test_refuse_poison BEFORE INSERT ON tg_transitions WHEN NEW.task_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poison refused by a trigger'); END",
    );
  } else if (url.startsWith('postgres:')) {
    await onPostgres(
      url,
      "CREATE FUNCTION tg_test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.task_id = 'poison' THEN RAISE EXCEPTION 'poison refused by a trigger'; END IF; RETURN NEW; END $$;" +
        ' CREATE TRIGGER tg_test_refuse_poison BEFORE INSERT ON tg_transitions FOR EACH ROW EXECUTE FUNCTION tg_test_refuse_poison()',
    );
  } else {
    await onMysql(
      url,
      "CREATE TRIGGER tg_test_refuse_poison BEFORE INSERT ON tg_transitions FOR EACH ROW IF NEW.task_id = 'poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poison refused by a trigger'; END IF",
    );
  }
}

async function dropRefusingTrigger(url: string): Promise<void> {
  if (url.startsWith('postgres:')) await onPostgres(url, 'DROP TRIGGER tg_test_refuse_poison ON tg_transitions');
  else await (url.startsWith('sqlite:') ? onSqlite : onMysql)(url, 'DROP TRIGGER tg_test_refuse_poison');
}

async function onSqlite(url: string, sql: string): Promise<void> {
  const file = url.slice('sqlite:'.length);
  mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
  const database = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
  });
  try {
    await new Promise<void>((resolve, reject) => database.exec(`PRAGMA busy_timeout = 5000; ${sql}`, (error) => (error ? reject(error) : resolve())));
  } finally {
    await new Promise<void>((resolve) => database.close(() => resolve()));
  }
}

async function onPostgres(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function onMysql(url: string, sql: string): Promise<void> {
  const connection = await mysql.createConnection(url);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
