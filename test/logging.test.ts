/**
 * Telemetry of an execution: what tasks write through `ctx.logger` comes back from
 * `engine.listLogs(id)` with its taskId and attempt; `engine.listSpans(id)` holds one span for the
 * execution and one per task attempt, children of the execution's span.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import winston from 'winston';
import Transport from 'winston-transport';
import { forEachStore } from './support/engines.js';

forEachStore('logs and spans', (ctx) => {
  it('stores ctx.logger records with executionId, taskId, attempt, level, message and attributes', async () => {
    ctx.publish('logging', (wf) =>
      wf
        .addTask('extract', 'Extract', (_input, taskCtx) => {
          taskCtx.logger.info('extracted rows', { rows: 3, file: 'a.csv' });
          taskCtx.logger.warn('one row was empty');
          return { rows: 3 };
        })
        .addTask('load', 'Load', (_input, taskCtx) => {
          taskCtx.logger.error('load failed', { table: 'users' });
          return null;
        })
        .addDependency('extract', 'load'),
    );
    const result = await ctx.engine.execute('logging');
    const logs = await ctx.engine.listLogs(result.id);
    const mine = logs.filter((log) => log.taskId !== null);
    expect(mine.map((log) => [log.taskId, log.attempt, log.level, log.message])).to.deep.equal([
      ['extract', 1, 'info', 'extracted rows'],
      ['extract', 1, 'warn', 'one row was empty'],
      ['load', 1, 'error', 'load failed'],
    ]);
    expect(mine[0]!.attributes).to.deep.include({ rows: 3, file: 'a.csv' });
    expect(mine[2]!.attributes).to.deep.include({ table: 'users' });
    for (const log of logs) {
      expect(log.executionId).to.equal(result.id);
      expect(log.at).to.be.instanceOf(Date);
    }
  });

  it('records the attempt that wrote each record', async () => {
    ctx.publish('attempts', (wf) =>
      wf.addTask(
        't',
        'T',
        (_input, taskCtx) => {
          taskCtx.logger.info(`attempt ${taskCtx.attempt} starts`);
          if (taskCtx.attempt < 3) throw new Error('again');
          return 'done';
        },
        { retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } },
      ),
    );
    const result = await ctx.engine.execute('attempts');
    const logs = (await ctx.engine.listLogs(result.id)).filter((log) => log.taskId === 't');
    expect(logs.map((log) => [log.attempt, log.message])).to.deep.equal([
      [1, 'attempt 1 starts'],
      [2, 'attempt 2 starts'],
      [3, 'attempt 3 starts'],
    ]);
  });

  it('keeps the logs of each execution apart', async () => {
    ctx.publish('apart', (wf) => wf.addTask('t', 'T', (input: { n: number }, taskCtx) => void taskCtx.logger.info(`run ${input.n}`)));
    const [one, two] = await Promise.all([ctx.engine.execute('apart', { n: 1 }), ctx.engine.execute('apart', { n: 2 })]);
    expect((await ctx.engine.listLogs(one.id)).map((log) => log.message)).to.deep.equal(['run 1']);
    expect((await ctx.engine.listLogs(two.id)).map((log) => log.message)).to.deep.equal(['run 2']);
  });

  it('records one span for the execution and one per attempt, children of the execution span', async () => {
    ctx.publish('spans', (wf) =>
      wf
        .addTask('first', 'First step', () => 1)
        .addTask(
          'flaky',
          'Flaky step',
          (_input, taskCtx) => {
            if (taskCtx.attempt === 1) throw new Error('once');
            return 2;
          },
          { retry: { maxAttempts: 2, initialDelayMs: 1 } },
        )
        .addTask('broken', 'Broken step', () => {
          throw new Error('never works');
        })
        .addDependency('first', 'flaky'),
    );
    const result = await ctx.engine.execute('spans');
    const spans = await ctx.engine.listSpans(result.id);
    const executionSpans = spans.filter((span) => span.taskId === null);
    expect(executionSpans).to.have.length(1);
    const root = executionSpans[0]!;
    expect(root).to.deep.include({ parentSpanId: null, executionId: result.id, name: 'spans', status: 'failed', attempt: null });
    expect(root.finishedAt.getTime()).to.be.at.least(root.startedAt.getTime());

    const attempts = spans.filter((span) => span.taskId !== null);
    expect(attempts.map((span) => `${span.taskId}#${span.attempt}:${span.status}`).sort()).to.deep.equal([
      'broken#1:error',
      'first#1:ok',
      'flaky#1:error',
      'flaky#2:ok',
    ]);
    for (const span of attempts) {
      expect(span.parentSpanId).to.equal(root.spanId);
      expect(span.executionId).to.equal(result.id);
      expect(span.finishedAt.getTime()).to.be.at.least(span.startedAt.getTime());
    }
    expect(attempts.find((span) => span.taskId === 'first')!.name).to.equal('First step');
    expect(new Set(spans.map((span) => span.spanId)).size).to.equal(spans.length);
  });

  it('stores a log message and a task name holding a NUL character (as U+FFFD on PostgreSQL, whose text cannot hold it)', async () => {
    ctx.publish('nul', (wf) =>
      wf.addTask('t', 'Na\u0000me', (_input, taskCtx) => {
        taskCtx.logger.info('before\u0000after', { raw: 'kept\u0000in JSON' });
        return 'out\u0000put';
      }),
    );
    const result = await ctx.engine.execute('nul');
    expect(result.status).to.equal('succeeded');
    expect(result.tasks['t']!.output).to.equal('out\u0000put');
    const stored = ctx.target.name === 'postgres' ? '\uFFFD' : '\u0000';
    const log = (await ctx.engine.listLogs(result.id)).find((record) => record.taskId === 't')!;
    expect(log.message).to.equal(`before${stored}after`);
    expect(log.attributes).to.deep.include({ raw: 'kept\u0000in JSON' });
    const span = (await ctx.engine.listSpans(result.id)).find((record) => record.taskId === 't')!;
    expect(span.name).to.equal(`Na${stored}me`);
  });

  it('records no attempt span for a task that never ran', async () => {
    ctx.publish('skipped-span', (wf) =>
      wf
        .addTask('fails', 'Fails', () => {
          throw new Error('no');
        })
        .addTask('skipped', 'Skipped', () => 1)
        .addDependency('fails', 'skipped'),
    );
    const result = await ctx.engine.execute('skipped-span');
    const spans = await ctx.engine.listSpans(result.id);
    expect(spans.map((span) => span.taskId)).to.have.members([null, 'fails']);
  });

  it('sends ctx.logger records to a logger given to createEngine, and stores them too', async () => {
    const received: Record<string, unknown>[] = [];
    class Capture extends Transport {
      override log(info: Record<string, unknown>, next: () => void): void {
        received.push(info);
        next();
      }
    }
    const logger = winston.createLogger({ level: 'info', transports: [new Capture()] });
    const engine = await ctx.reopenEngine({ logger });
    engine.publishWorkflow(engine.createWorkflow('own-logger').addTask('t', 'T', (_input, taskCtx) => void taskCtx.logger.info('to my logger')).build());
    const result = await engine.execute('own-logger');
    const mine = received.find((info) => info['message'] === 'to my logger');
    expect(mine).to.deep.include({ executionId: result.id, taskId: 't', attempt: 1 });
    expect((await engine.listLogs(result.id)).map((log) => log.message)).to.include('to my logger');
  });
});

// Regression: the console showed only the message of ctx.logger.warn('d sees', { rows: 3 }).
describe('the default console logger', function () {
  this.timeout(60_000);

  it('prints the metadata of a record as compact JSON after its message', () => {
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'consoleLogging.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8' });
    expect(child.status, child.stderr).to.equal(0);
    const executionId = /EXECUTION (\S+)/.exec(child.stdout)![1]!;
    const line = (message: string) => child.stdout.split('\n').find((candidate) => candidate.includes(` ${message}`)) ?? '';
    expect(line('d sees')).to.match(new RegExp(`^\\S+ warn \\[${executionId} d 1\\] d sees \\{"rows":3\\}$`));
    expect(line('nested')).to.match(/ nested \{"file":\{"name":"a\.csv","size":12\},"tags":\["x","y"\],"error":\{"name":"TypeError","message":"bad row"\}\}$/);
    expect(line('no metadata')).to.match(/ no metadata$/);
  });
});
