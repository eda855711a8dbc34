/**
 * engine.resume / resumeAll in the same process: an engine closed mid-run leaves its execution
 * unfinished in the store; another engine on the same storage continues it. (The crash test does
 * the same across processes killed with SIGKILL.)
 */
import { expect } from 'chai';
import { ExecutionNotFoundError, InvalidOptionsError, ResumeError, createEngine, createWorkflow } from '../lib/index.js';
import type { Engine, ResumeOptions, TaskContext } from '../lib/index.js';
import { forEachStore, waitUntil } from './support/engines.js';
import { FlakyStore } from './support/FlakyStore.js';

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: Error) => error,
  );
}

/** A task that waits until released (or aborted), and records each run. */
function gate() {
  const runs: string[] = [];
  let release: () => void = () => undefined;
  let opened = false;
  const released = new Promise<void>((resolve) => (release = () => ((opened = true), resolve())));
  const task = async (_input: unknown, ctx: TaskContext) => {
    runs.push(`${ctx.taskId}#${ctx.attempt} ${ctx.idempotencyKey}`);
    if (opened) return { ok: true };
    await Promise.race([released, new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))))]);
    return { ok: true };
  };
  return { runs, task, open: () => release() };
}

forEachStore('resume', (ctx) => {
  function publishPipeline(engine: Engine, blocker: (input: unknown, ctx: TaskContext) => Promise<unknown>, ran: string[]) {
    const record = (id: string) => async (_input: unknown, taskCtx: TaskContext) => {
      ran.push(`${id}#${taskCtx.attempt}`);
      return { [id]: true };
    };
    engine.publishWorkflow(
      engine
        .createWorkflow('pipeline')
        .addTask('a', 'A', record('a'))
        .addTask('b', 'B (blocks)', blocker)
        .addTask('c', 'C', record('c'))
        .addTask('d', 'D', record('d'))
        .addDependency('a', 'b')
        .addDependency('b', 'c')
        .addDependency('a', 'd')
        .build(),
    );
  }

  it('continues an execution left running by a closed engine: committed successes do not run again', async () => {
    const first = gate();
    const ran: string[] = [];
    publishPipeline(ctx.engine, first.task, ran);
    const handle = ctx.engine.start('pipeline', {});
    await waitUntil(() => first.runs.length === 1 && ran.includes('d#1'), 'b runs and d ran');
    await waitUntil(async () => (await ctx.engine.getExecution(handle.id)).tasks['d']?.status === 'succeeded', 'd is committed');
    await ctx.engine.close();
    expect((await rejection(handle.result)).name).to.equal('EngineClosedError');

    const second = gate();
    second.open();
    const ranAfter: string[] = [];
    const engine = await ctx.reopenEngine();
    publishPipeline(engine, second.task, ranAfter);
    expect((await engine.getExecution(handle.id)).status).to.equal('running');
    const result = await engine.resume(handle.id);

    expect(result.status).to.equal('succeeded');
    expect(ranAfter).to.deep.equal(['c#1']); // a and d were committed: never again
    expect(second.runs).to.have.length(1);
    expect(second.runs[0]!.split(' ')[1]).to.equal(first.runs[0]!.split(' ')[1]); // same idempotency key
    const transitions = await engine.listTransitions(handle.id);
    expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
    expect(transitions.filter((t) => t.to === 'succeeded' && t.taskId !== null).map((t) => t.taskId).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('continues a retry backoff from its recorded deadline', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const publish = (engine: Engine) =>
      engine.publishWorkflow(
        engine
          .createWorkflow('backoff')
          .addTask(
            'flaky',
            'Flaky',
            (_input: unknown, taskCtx: TaskContext) => {
              attempts.push({ attempt: taskCtx.attempt, at: Date.now() });
              if (taskCtx.attempt === 1) throw new Error('first attempt fails');
              return 'ok';
            },
            { retry: { maxAttempts: 2, initialDelayMs: 400, jitter: 'none' } },
          )
          .build(),
      );
    publish(ctx.engine);
    const handle = ctx.engine.start('backoff', {});
    await waitUntil(async () => (await ctx.engine.getExecution(handle.id)).tasks['flaky']?.status === 'retrying', 'flaky is retrying');
    const retrying = (await ctx.engine.listTransitions(handle.id)).find((t) => t.to === 'retrying')!;
    await ctx.engine.close();
    await handle.result.catch(() => undefined);

    const engine = await ctx.reopenEngine();
    publish(engine);
    const result = await engine.resume(handle.id);
    expect(result.status).to.equal('succeeded');
    expect(result.tasks['flaky']!.attempts).to.equal(2);
    expect(attempts.map((a) => a.attempt)).to.deep.equal([1, 2]);
    expect(retrying.data?.delayMs).to.equal(400);
    // The second attempt waited for the deadline recorded before the restart.
    expect(attempts[1]!.at).to.be.at.least(new Date(retrying.data!.retryAt!).getTime());
  });

  // Regression: a re-run kept the crashed attempt's absolute deadline and timed out at once.
  it('gives an attempt re-run after a restart a full timeoutMs of its own', async () => {
    const runs: number[] = [];
    const publish = (engine: Engine, work: (signal: AbortSignal) => Promise<unknown>) =>
      engine.publishWorkflow(
        engine
          .createWorkflow('timed')
          .addTask('t', 'T', async (_input: unknown, taskCtx: TaskContext) => {
            runs.push(taskCtx.attempt);
            return work(taskCtx.signal);
          }, { timeoutMs: 400 })
          .build(),
      );
    publish(ctx.engine, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    const handle = ctx.engine.start('timed', {});
    await waitUntil(() => runs.length === 1, 't runs');
    await ctx.engine.close();
    await handle.result.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 600)); // the first run's deadline has passed

    const engine = await ctx.reopenEngine();
    publish(engine, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'done in time';
    });
    const result = await engine.resume(handle.id);
    expect(result.status).to.equal('succeeded');
    expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 1 });
    expect(result.outputs['t']).to.equal('done in time');
    expect(runs).to.deep.equal([1, 1]);
  });

  // The crash came between a failure and the skips it causes: on resume the blocked tasks are skipped.
  it('skips on resume the tasks blocked by a failure committed before the crash', async () => {
    const flaky = new FlakyStore(ctx.target.store);
    const first = await createEngine({ storage: flaky, closeTimeoutMs: 200, logLevel: 'silent' });
    const publish = (engine: Engine) =>
      engine.publishWorkflow(
        engine
          .createWorkflow('broken')
          .addTask('a', 'A', () => {
            throw new Error('a breaks');
          })
          .addTask('b', 'B', () => 1)
          .addTask('c', 'C', () => 2)
          .addDependency('a', 'b')
          .addDependency('b', 'c')
          .build(),
      );
    publish(first);
    flaky.afterCommit = (batch) => {
      if (batch.transitions.some((t) => t.taskId === 'a' && t.to === 'failed')) flaky.down = true; // the skips never land
    };
    const handle = first.start('broken', {});
    await waitUntil(() => flaky.down, 'the store is down');
    await first.close();
    await handle.result.catch(() => undefined);
    const before = await ctx.engine.getExecution(handle.id);
    expect(before.status).to.equal('running');
    expect([before.tasks['a']!.status, before.tasks['b']!.status, before.tasks['c']!.status]).to.deep.equal(['failed', 'pending', 'pending']);

    publish(ctx.engine);
    const result = await ctx.engine.resume(handle.id);
    expect(result.status).to.equal('failed');
    expect([result.tasks['b']!.status, result.tasks['c']!.status]).to.deep.equal(['skipped', 'skipped']);
    const transitions = await ctx.engine.listTransitions(handle.id);
    expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
  });

  describe('refusals', () => {
    async function unfinishedExecution(): Promise<string> {
      const blocker = gate();
      publishPipeline(ctx.engine, blocker.task, []);
      const handle = ctx.engine.start('pipeline', {});
      await waitUntil(() => blocker.runs.length === 1, 'the blocker ran 1 time(s)');
      await ctx.engine.close();
      await handle.result.catch(() => undefined);
      return handle.id;
    }

    it('refuses an unknown execution', async () => {
      const error = await rejection(ctx.engine.resume('no-such-execution'));
      expect(error).to.be.instanceOf(ExecutionNotFoundError);
    });

    it('refuses when the workflow is not published', async () => {
      const id = await unfinishedExecution();
      const engine = await ctx.reopenEngine();
      const error = await rejection(engine.resume(id));
      expect(error).to.be.instanceOf(ResumeError);
      expect((error as ResumeError).reason).to.equal('WORKFLOW_NOT_PUBLISHED');
      expect(error.message).to.contain('pipeline');
    });

    it('refuses another version of the workflow unless asked, and then resumes it', async () => {
      const id = await unfinishedExecution();
      const engine = await ctx.reopenEngine();
      const open = gate();
      open.open();
      engine.publishWorkflow(
        engine
          .createWorkflow('pipeline')
          .addTask('a', 'A', () => ({}))
          .addTask('b', 'B, renamed', open.task)
          .addTask('c', 'C', () => ({}))
          .addTask('d', 'D', () => ({}))
          .addDependency('a', 'b')
          .addDependency('b', 'c')
          .addDependency('a', 'd')
          .build(),
      );
      const error = await rejection(engine.resume(id));
      expect((error as ResumeError).reason).to.equal('VERSION_MISMATCH');
      // Regression: a misspelt option was silently ignored (and the resume refused as above).
      const misspelt = await rejection(engine.resume(id, { allowVersionMismatches: true } as ResumeOptions));
      expect(misspelt).to.be.instanceOf(InvalidOptionsError);
      expect(misspelt.message).to.equal('Unknown option allowVersionMismatches of resume. Did you mean allowVersionMismatch?');
      expect((await rejection(engine.resumeAll({ allowMismatch: true } as ResumeOptions))).message).to.equal(
        'Unknown option allowMismatch of resumeAll. Did you mean allowVersionMismatch?',
      );
      const result = await engine.resume(id, { allowVersionMismatch: true });
      expect(result.status).to.equal('succeeded');
    });

    it('refuses a finished execution', async () => {
      ctx.engine.publishWorkflow(ctx.engine.createWorkflow('quick').addTask('a', 'A', () => 1).build());
      const { id } = await ctx.engine.execute('quick');
      const error = await rejection(ctx.engine.resume(id));
      expect((error as ResumeError).reason).to.equal('ALREADY_FINISHED');
    });

    it('refuses snapshots of an unknown format, and leaves the execution as it was', async () => {
      const id = await unfinishedExecution();
      const engine = await ctx.reopenEngine();
      publishPipeline(engine, gate().task, []);
      const transitions = await engine.listTransitions(id);
      const last = transitions.at(-1)!;
      await ctx.target.store.commit({ transitions: [{ ...last, seq: last.seq + 1, snapshotFormat: 99 }], taskRuns: [], executions: [] });
      const error = await rejection(engine.resume(id));
      expect((error as ResumeError).reason).to.equal('SNAPSHOT_FORMAT');
      expect(error.message).to.contain('99');
      expect((await engine.getExecution(id)).status).to.equal('running');
      expect(engine.stats().activeExecutions).to.equal(0);
    });
  });

  it('resumeAll takes orphaned executions', async () => {
    const blocker = gate();
    publishPipeline(ctx.engine, blocker.task, []);
    const first = ctx.engine.start('pipeline', {});
    const second = ctx.engine.start('pipeline', {});
    await waitUntil(() => blocker.runs.length === 2, 'the blocker ran 2 time(s)');
    await ctx.engine.close();
    await Promise.allSettled([first.result, second.result]);

    const open = gate();
    open.open();
    const engine = await ctx.reopenEngine();
    publishPipeline(engine, open.task, []);
    const { resumed, refused } = await engine.resumeAll();
    expect(refused).to.deep.equal([]);
    expect(resumed.map((handle) => handle.id).sort()).to.deep.equal([first.id, second.id].sort());
    const results = await Promise.all(resumed.map((handle) => handle.result));
    expect(results.map((result) => result.status)).to.deep.equal(['succeeded', 'succeeded']);
    expect((await engine.resumeAll()).resumed).to.deep.equal([]);
  });

  it('createEngine({ workflows, resumeOnStart }) resumes orphaned executions on start', async () => {
    const blocker = gate();
    publishPipeline(ctx.engine, blocker.task, []);
    const handle = ctx.engine.start('pipeline', {});
    await waitUntil(() => blocker.runs.length === 1, 'the blocker ran 1 time(s)');
    await ctx.engine.close();
    await handle.result.catch(() => undefined);

    const open = gate();
    open.open();
    const workflow = createWorkflow('pipeline')
      .addTask('a', 'A', () => ({ a: true }))
      .addTask('b', 'B (blocks)', open.task)
      .addTask('c', 'C', () => ({ c: true }))
      .addTask('d', 'D', () => ({ d: true }))
      .addDependency('a', 'b')
      .addDependency('b', 'c')
      .addDependency('a', 'd')
      .build();
    const engine = await ctx.reopenEngine({ workflows: [workflow], resumeOnStart: true });
    await waitUntil(async () => (await engine.getExecution(handle.id)).status === 'succeeded', 'the execution succeeded');
    expect((await engine.getExecution(handle.id)).status).to.equal('succeeded');
    expect(open.runs).to.have.length(1);
  });

  it('resumeAll leaves alone an execution whose owner is alive', async () => {
    const blocker = gate();
    publishPipeline(ctx.engine, blocker.task, []);
    const handle = ctx.engine.start('pipeline', {});
    await waitUntil(() => blocker.runs.length === 1, 'the blocker ran 1 time(s)');
    const other = await ctx.openEngine();
    try {
      publishPipeline(other, gate().task, []);
      expect((await other.resumeAll()).resumed).to.deep.equal([]);
    } finally {
      await other.close();
    }
    blocker.open();
    expect((await handle.result).status).to.equal('succeeded');
  });
});
