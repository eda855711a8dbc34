/**
 * What a failed task does to the rest of its execution. Under 'continue' (the default) the tasks
 * downstream of the failure are skipped and independent branches run to their end; under
 * 'fail-fast' the running tasks' signals are aborted, they end 'cancelled', nothing new starts.
 * Either way the execution ends 'failed' and every task ends in a terminal state.
 */
import { expect } from 'chai';
import { deferred, forEachStore, TERMINAL_TASK_STATUSES, whenAborted } from './support/engines.js';

forEachStore('failure policy', (ctx) => {
  describe("'continue' (the default)", () => {
    it('skips everything downstream of a failure and completes the independent branches', async () => {
      ctx.publish('continue', (wf) =>
        wf
          .addTask('root', 'Root', () => ({ ok: true }))
          .addTask('broken', 'Broken', () => {
            throw new Error('disk full');
          })
          .addTask('child', 'Child of broken', () => 'never')
          .addTask('grandchild', 'Grandchild of broken', () => 'never')
          .addTask('sibling', 'Sibling', () => 'sibling done')
          .addTask('after-sibling', 'After sibling', () => 'after done')
          .addTask('join', 'Join of both branches', () => 'never')
          .addDependency('root', 'broken')
          .addDependency('broken', 'child')
          .addDependency('child', 'grandchild')
          .addDependency('root', 'sibling')
          .addDependency('sibling', 'after-sibling')
          .addDependency('after-sibling', 'join')
          .addDependency('child', 'join'),
      );
      const result = await ctx.engine.execute('continue');
      expect(result.status).to.equal('failed');
      const statuses = Object.fromEntries(Object.entries(result.tasks).map(([id, task]) => [id, task.status]));
      expect(statuses).to.deep.equal({
        root: 'succeeded',
        broken: 'failed',
        child: 'skipped',
        grandchild: 'skipped',
        sibling: 'succeeded',
        'after-sibling': 'succeeded',
        join: 'skipped',
      });
      expect(result.outputs).to.deep.equal({ root: { ok: true }, sibling: 'sibling done', 'after-sibling': 'after done' });
      expect(result.tasks['child']!.attempts).to.equal(0);
      expect(result.tasks['child']!.error?.message).to.include('"broken"');
      expect(result.tasks['grandchild']!.error?.message).to.include('"child"');
      expect(result.error).to.deep.include({ name: 'ExecutionFailed', code: 'EXECUTION_FAILED' });
      expect(result.error!.message).to.include('"broken"').and.to.include('disk full');
    });

    it('lets a task already running beside the failure finish and succeed', async () => {
      const started = deferred();
      ctx.publish('beside', (wf) =>
        wf
          .addTask('slow', 'Slow', async () => {
            started.resolve();
            await new Promise((resolve) => setTimeout(resolve, 20));
            return 'slow done';
          })
          .addTask('fails', 'Fails', async () => {
            await started.promise;
            throw new Error('boom');
          }),
      );
      const result = await ctx.engine.execute('beside', {}, { failurePolicy: 'continue' });
      expect(result.status).to.equal('failed');
      expect(result.tasks['slow']!.status).to.equal('succeeded');
      expect(result.tasks['fails']!.status).to.equal('failed');
    });

    it('names every failed task in the execution error', async () => {
      ctx.publish('two-failures', (wf) =>
        wf
          .addTask('x', 'X', () => {
            throw new Error('x broke');
          })
          .addTask('y', 'Y', () => {
            throw new Error('y broke');
          }),
      );
      const result = await ctx.engine.execute('two-failures');
      expect(result.status).to.equal('failed');
      expect(result.error!.message).to.include('2 task(s) failed').and.to.include('"x"').and.to.include('"y"');
    });
  });

  describe("'fail-fast'", () => {
    it('aborts the running tasks (they end cancelled), starts nothing new, and fails the execution', async () => {
      const started: string[] = [];
      const runningStarted = deferred();
      let runningSawAbort = false;
      ctx.publish('fail-fast', (wf) => {
        wf.addTask('fails', 'Fails', async () => {
          started.push('fails');
          await runningStarted.promise;
          throw new Error('fatal');
        });
        wf.addTask('running', 'Running', async (_input, taskCtx) => {
          started.push('running');
          runningStarted.resolve();
          await whenAborted(taskCtx.signal);
          runningSawAbort = taskCtx.signal.aborted;
          throw new Error('aborted');
        });
        wf.addTask('after-fails', 'After fails', () => void started.push('after-fails'));
        wf.addDependency('fails', 'after-fails');
        for (let i = 0; i < 5; i++) wf.addTask(`queued-${i}`, `Queued ${i}`, () => void started.push(`queued-${i}`));
        return wf;
      });
      const result = await ctx.engine.execute('fail-fast', {}, { failurePolicy: 'fail-fast', concurrency: 2 });
      expect(result.status).to.equal('failed');
      expect(started.sort()).to.deep.equal(['fails', 'running']);
      expect(runningSawAbort).to.equal(true);
      expect(result.tasks['fails']!.status).to.equal('failed');
      expect(result.tasks['running']!.status).to.equal('cancelled');
      expect(result.tasks['running']!.attempts).to.equal(1);
      expect(result.tasks['after-fails']!.status).to.be.oneOf(['skipped', 'cancelled']);
      for (let i = 0; i < 5; i++) {
        expect(result.tasks[`queued-${i}`]).to.include({ status: 'cancelled', attempts: 0 });
      }
      for (const task of Object.values(result.tasks)) expect(TERMINAL_TASK_STATUSES).to.include(task.status);
      expect(result.error?.message).to.include('"fails"');
    });

    it('cancels a task waiting for its retry', async () => {
      const retryingStarted = deferred();
      ctx.publish('fail-fast-retrying', (wf) =>
        wf
          .addTask(
            'waits-for-retry',
            'Waits for retry',
            () => {
              retryingStarted.resolve();
              throw new Error('try later');
            },
            { retry: { maxAttempts: 3, initialDelayMs: 60_000, jitter: 'none' } },
          )
          .addTask('fails', 'Fails', async () => {
            await retryingStarted.promise;
            await new Promise((resolve) => setTimeout(resolve, 5));
            throw new Error('fatal');
          }),
      );
      const result = await ctx.engine.execute('fail-fast-retrying', {}, { failurePolicy: 'fail-fast' });
      expect(result.status).to.equal('failed');
      expect(result.tasks['waits-for-retry']).to.include({ status: 'cancelled', attempts: 1 });
      expect(result.tasks['fails']!.status).to.equal('failed');
    });

    it('is the engine-wide policy when createEngine({ failurePolicy }) says so', async () => {
      const engine = await ctx.reopenEngine({ failurePolicy: 'fail-fast' });
      const started: string[] = [];
      const workflow = engine.createWorkflow('engine-fail-fast').addTask('fails', 'Fails', () => {
        started.push('fails');
        throw new Error('fatal');
      });
      for (let i = 0; i < 4; i++) workflow.addTask(`later-${i}`, `Later ${i}`, () => void started.push(`later-${i}`));
      engine.publishWorkflow(workflow.build());
      const result = await engine.execute('engine-fail-fast', {}, { concurrency: 1 });
      expect(result.status).to.equal('failed');
      expect(started).to.deep.equal(['fails']);
      expect(Object.values(result.tasks).map((task) => task.status)).to.deep.equal(['failed', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    });

    it("is overridden by an execution's failurePolicy 'continue'", async () => {
      const engine = await ctx.reopenEngine({ failurePolicy: 'fail-fast' });
      engine.publishWorkflow(
        engine
          .createWorkflow('override')
          .addTask('fails', 'Fails', () => {
            throw new Error('fatal');
          })
          .addTask('independent', 'Independent', () => 'done')
          .build(),
      );
      const result = await engine.execute('override', {}, { concurrency: 1, failurePolicy: 'continue' });
      expect(result.status).to.equal('failed');
      expect(result.tasks['independent']!.status).to.equal('succeeded');
    });
  });
});
