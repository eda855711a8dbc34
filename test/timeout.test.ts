/**
 * `timeoutMs` limits each attempt: an attempt that runs longer fails with TaskTimeoutError, its
 * `ctx.signal` is aborted, and the retry policy decides what happens next.
 */
import { expect } from 'chai';
import { TaskTimeoutError } from '../lib/index.js';
import { deferred, forEachStore, sleep, waitUntil, whenAborted } from './support/engines.js';

forEachStore('task timeout', (ctx) => {
  it('fails an attempt that runs past timeoutMs with TaskTimeoutError and aborts its signal', async () => {
    let abortReason: unknown;
    let signalAborted = false;
    ctx.publish('slow', (wf) =>
      wf.addTask(
        'slow',
        'Slow',
        async (_input, taskCtx) => {
          abortReason = await whenAborted(taskCtx.signal);
          signalAborted = taskCtx.signal.aborted;
          throw new Error('stopped because aborted');
        },
        { timeoutMs: 20 },
      ),
    );
    const result = await ctx.engine.execute('slow');
    expect(result.status).to.equal('failed');
    expect(result.tasks['slow']).to.include({ status: 'failed', attempts: 1 });
    expect(result.tasks['slow']!.error).to.deep.include({ name: 'TaskTimeoutError', code: 'TASK_TIMEOUT' });
    expect(result.tasks['slow']!.error!.message).to.include('"slow"').and.to.include('20 ms');
    expect(signalAborted).to.equal(true);
    expect(abortReason).to.be.instanceOf(TaskTimeoutError);
    expect((abortReason as TaskTimeoutError).timeoutMs).to.equal(20);
    expect((abortReason as TaskTimeoutError).taskId).to.equal('slow');
  });

  it('times out a task that ignores its signal and never settles', async () => {
    ctx.publish('stuck', (wf) => wf.addTask('stuck', 'Stuck', () => new Promise(() => {}), { timeoutMs: 15 }));
    const result = await ctx.engine.execute('stuck');
    expect(result.tasks['stuck']).to.include({ status: 'failed', attempts: 1 });
    expect(result.tasks['stuck']!.error?.code).to.equal('TASK_TIMEOUT');
  });

  it('applies the retry policy to a timed-out attempt, with a fresh deadline per attempt', async () => {
    let calls = 0;
    ctx.publish('retry-timeout', (wf) =>
      wf.addTask(
        't',
        'T',
        async (_input, taskCtx) => {
          calls += 1;
          if (calls < 3) {
            await whenAborted(taskCtx.signal);
            return 'too late';
          }
          await sleep(5);
          return `attempt ${taskCtx.attempt}`;
        },
        { timeoutMs: 50, retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } },
      ),
    );
    const result = await ctx.engine.execute('retry-timeout');
    expect(result.status).to.equal('succeeded');
    expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 3 });
    expect(result.outputs['t']).to.equal('attempt 3');
    const retrying = (await ctx.engine.listTransitions(result.id)).filter((t) => t.taskId === 't' && t.to === 'retrying');
    expect(retrying.map((t) => t.data?.error?.code)).to.deep.equal(['TASK_TIMEOUT', 'TASK_TIMEOUT']);
  });

  it('fails after the last attempt times out', async () => {
    ctx.publish('always-late', (wf) =>
      wf.addTask('t', 'T', (_input, taskCtx) => whenAborted(taskCtx.signal), { timeoutMs: 10, retry: { maxAttempts: 2, initialDelayMs: 1 } }),
    );
    const result = await ctx.engine.execute('always-late');
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 2 });
    expect(result.tasks['t']!.error?.name).to.equal('TaskTimeoutError');
  });

  it('leaves a task that finishes in time alone, and skips the dependents of one that timed out', async () => {
    ctx.publish('mixed', (wf) =>
      wf
        .addTask('fast', 'Fast', () => ({ ok: true }), { timeoutMs: 10_000 })
        .addTask('late', 'Late', (_input, taskCtx) => whenAborted(taskCtx.signal), { timeoutMs: 10 })
        .addTask('after-late', 'After late', () => 'never')
        .addDependency('late', 'after-late'),
    );
    const result = await ctx.engine.execute('mixed');
    expect(result.status).to.equal('failed');
    expect(result.tasks['fast']).to.include({ status: 'succeeded' });
    expect(result.outputs['fast']).to.deep.equal({ ok: true });
    expect(result.tasks['late']!.status).to.equal('failed');
    expect(result.tasks['after-late']!.status).to.equal('skipped');
  });

  it('does not report a rejection the task makes after its timeout as unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const release = deferred();
    try {
      ctx.publish('late-reject', (wf) =>
        wf.addTask(
          't',
          'T',
          async () => {
            await release.promise;
            throw new Error('rejected after the timeout');
          },
          { timeoutMs: 10 },
        ),
      );
      const result = await ctx.engine.execute('late-reject');
      expect(result.tasks['t']!.error?.code).to.equal('TASK_TIMEOUT');
      release.resolve();
      await sleep(20);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  // Regression: Node's setTimeout fires at once (TimeoutOverflowWarning) past 2^31-1 ms (24.8 days).
  it('keeps an attempt timeout of days: a timeoutMs past 2^31-1 ms does not fire at once', async () => {
    ctx.publish('patient', (wf) =>
      wf.addTask(
        't',
        'T',
        async () => {
          await sleep(50);
          return 'done';
        },
        { timeoutMs: 2 ** 40 },
      ),
    );
    const result = await ctx.engine.execute('patient');
    expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 1 });
    expect(result.outputs['t']).to.equal('done');
  });

  it('keeps a retry backoff of days: a delay past 2^31-1 ms does not fire at once', async () => {
    let calls = 0;
    ctx.publish('long-backoff', (wf) =>
      wf.addTask(
        't',
        'T',
        () => {
          calls += 1;
          throw new Error('fails');
        },
        { retry: { maxAttempts: 2, initialDelayMs: 2 ** 35, maxDelayMs: 2 ** 35, jitter: 'none' } },
      ),
    );
    const handle = ctx.engine.start('long-backoff');
    await waitUntil(() => handle.progress().retrying === 1, 'the task waits for its retry');
    await sleep(100);
    expect(calls).to.equal(1);
    expect(handle.progress().retrying).to.equal(1);
    const retrying = (await ctx.engine.listTransitions(handle.id)).find((t) => t.to === 'retrying')!;
    expect(retrying.data?.delayMs).to.equal(2 ** 35);
    handle.cancel('the test is over');
    expect((await handle.result).status).to.equal('cancelled');
  });
});
