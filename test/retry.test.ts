/**
 * Retries: exponential backoff `min(maxDelayMs, initialDelayMs * backoffFactor^(attempt-1))`, the
 * delay chosen recorded on each transition to 'retrying', the engine-wide default policy, and the
 * two ways to stop retrying (NonRetryableError, a `retryable(error)` predicate returning false).
 * Delays are kept to a few ms so the suite stays fast.
 */
import { expect } from 'chai';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backoffDelay, createEngine, NonRetryableError } from '../lib/index.js';
import type { Engine, RetryPolicy, TransitionRecord } from '../lib/index.js';
import { forEachStore } from './support/engines.js';
import { FlakyStore } from './support/FlakyStore.js';

/** The documented formula, written out independently of the engine. */
function formula(policy: Pick<RetryPolicy, 'initialDelayMs' | 'backoffFactor' | 'maxDelayMs'>, failedAttempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffFactor ** (failedAttempt - 1));
}

async function transitionsOf(engine: Engine, executionId: string, taskId: string): Promise<TransitionRecord[]> {
  return (await engine.listTransitions(executionId)).filter((transition) => transition.taskId === taskId);
}

function failing(times: number, error: () => unknown = () => new Error('flaky')): () => string {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls <= times) throw error();
    return `succeeded on call ${calls}`;
  };
}

describe('backoffDelay', () => {
  it('computes min(maxDelayMs, initialDelayMs * backoffFactor^(attempt-1))', () => {
    const policy: RetryPolicy = { maxAttempts: 10, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 1000, jitter: 'none' };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt))).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay({ ...policy, backoffFactor: 1 }, 5)).to.equal(100);
  });
});

forEachStore('retries', (ctx) => {
  it('retries a failing task until it succeeds and counts the attempts', async () => {
    ctx.publish('flaky', (wf) => wf.addTask('flaky', 'Flaky', failing(2), { retry: { maxAttempts: 5, initialDelayMs: 1, jitter: 'none' } }));
    const result = await ctx.engine.execute('flaky');
    expect(result.status).to.equal('succeeded');
    expect(result.tasks['flaky']).to.include({ status: 'succeeded', attempts: 3 });
    expect(result.tasks['flaky']!.output).to.equal('succeeded on call 3');
    expect(result.tasks['flaky']!.error).to.equal(undefined);
  });

  it('fails the task after maxAttempts with the last error, and records every step', async () => {
    let attempt = 0;
    ctx.publish('hopeless', (wf) =>
      wf.addTask(
        'hopeless',
        'Hopeless',
        () => {
          throw new Error(`failure ${++attempt}`);
        },
        { retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } },
      ),
    );
    const result = await ctx.engine.execute('hopeless');
    expect(result.status).to.equal('failed');
    expect(result.tasks['hopeless']).to.include({ status: 'failed', attempts: 3 });
    expect(result.tasks['hopeless']!.error).to.deep.include({ name: 'Error', message: 'failure 3' });
    const steps = (await transitionsOf(ctx.engine, result.id, 'hopeless')).map((t) => `${t.from}→${t.to}#${t.attempt}`);
    expect(steps).to.deep.equal(['pending→running#1', 'running→retrying#1', 'retrying→running#2', 'running→retrying#2', 'retrying→running#3', 'running→failed#3']);
  });

  it("records exactly the formula's delay on each transition to 'retrying' with jitter 'none'", async () => {
    const policy = { maxAttempts: 5, initialDelayMs: 2, backoffFactor: 3, maxDelayMs: 15, jitter: 'none' as const };
    ctx.publish('exact', (wf) => wf.addTask('t', 'T', failing(10), { retry: policy }));
    const result = await ctx.engine.execute('exact');
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 5 });
    const transitions = await transitionsOf(ctx.engine, result.id, 't');
    const retrying = transitions.filter((t) => t.to === 'retrying');
    expect(retrying.map((t) => t.attempt)).to.deep.equal([1, 2, 3, 4]);
    expect(retrying.map((t) => t.data?.delayMs)).to.deep.equal([1, 2, 3, 4].map((n) => formula(policy, n)));
    expect(retrying.map((t) => t.data?.delayMs)).to.deep.equal([2, 6, 15, 15]);
    for (const transition of retrying) {
      // retryAt is the absolute deadline chosen when the attempt failed: delayMs after a moment
      // between the attempt's start and the recorded transition.
      const retryAt = Date.parse(String(transition.data?.retryAt));
      expect(new Date(retryAt).toISOString()).to.equal(transition.data?.retryAt);
      const decidedAt = retryAt - transition.data!.delayMs!;
      const attemptStart = transitions.find((t) => t.to === 'running' && t.attempt === transition.attempt)!;
      expect(decidedAt).to.be.at.least(attemptStart.at.getTime());
      expect(decidedAt).to.be.at.most(transition.at.getTime());
      expect(transition.data?.error).to.deep.include({ message: 'flaky' });
    }
  });

  it("records a delay within [0, formula] for each retry with jitter 'full'", async () => {
    const policy = { maxAttempts: 8, initialDelayMs: 4, backoffFactor: 2, maxDelayMs: 12, jitter: 'full' as const };
    ctx.publish('jittered', (wf) => wf.addTask('t', 'T', failing(100), { retry: policy }));
    const result = await ctx.engine.execute('jittered');
    const retrying = (await transitionsOf(ctx.engine, result.id, 't')).filter((t) => t.to === 'retrying');
    expect(retrying).to.have.length(7);
    for (const transition of retrying) {
      const delayMs = transition.data?.delayMs;
      expect(delayMs).to.be.a('number');
      expect(Number.isInteger(delayMs)).to.equal(true);
      expect(delayMs).to.be.within(0, formula(policy, transition.attempt));
    }
  });

  it('uses full jitter by default, and announces each retry with a task.retrying event', async () => {
    const retrying: { attempt: number; delayMs: unknown }[] = [];
    ctx.engine.events.on('task.retrying', (event: { attempt: number; data: { delayMs?: unknown } | null }) => {
      retrying.push({ attempt: event.attempt, delayMs: event.data?.delayMs });
    });
    ctx.publish('default-jitter', (wf) => wf.addTask('t', 'T', failing(2), { retry: { maxAttempts: 3, initialDelayMs: 10, backoffFactor: 2 } }));
    const result = await ctx.engine.execute('default-jitter');
    expect(result.status).to.equal('succeeded');
    expect(retrying.map((r) => r.attempt)).to.deep.equal([1, 2]);
    expect(retrying[0]!.delayMs).to.be.within(0, 10);
    expect(retrying[1]!.delayMs).to.be.within(0, 20);
  });

  it('does not retry by default (maxAttempts 1)', async () => {
    ctx.publish('once', (wf) => wf.addTask('t', 'T', failing(1)));
    const result = await ctx.engine.execute('once');
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 1 });
    const steps = (await transitionsOf(ctx.engine, result.id, 't')).map((t) => t.to);
    expect(steps).to.deep.equal(['running', 'failed']);
  });

  it('applies the engine-wide policy of createEngine({ retry }), which a task overrides field by field', async () => {
    const engine = await ctx.reopenEngine({ retry: { maxAttempts: 3, initialDelayMs: 2, backoffFactor: 2, jitter: 'none' } });
    engine.publishWorkflow(
      engine
        .createWorkflow('engine-policy')
        .addTask('inherits', 'Inherits', failing(10))
        .addTask('overrides', 'Overrides', failing(10), { retry: { maxAttempts: 4, backoffFactor: 1 } })
        .build(),
    );
    const result = await engine.execute('engine-policy');
    expect(result.tasks['inherits']).to.include({ status: 'failed', attempts: 3 });
    expect(result.tasks['overrides']).to.include({ status: 'failed', attempts: 4 });
    const delays = async (taskId: string) =>
      (await transitionsOf(engine, result.id, taskId)).filter((t) => t.to === 'retrying').map((t) => t.data?.delayMs);
    expect(await delays('inherits')).to.deep.equal([2, 4]);
    expect(await delays('overrides')).to.deep.equal([2, 2, 2]);
  });

  it('stops at once on NonRetryableError and records it', async () => {
    let calls = 0;
    ctx.publish('fatal', (wf) =>
      wf.addTask(
        't',
        'T',
        () => {
          calls += 1;
          throw new NonRetryableError('the file is gone');
        },
        { retry: { maxAttempts: 5, initialDelayMs: 1 } },
      ),
    );
    const result = await ctx.engine.execute('fatal');
    expect(calls).to.equal(1);
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 1 });
    expect(result.tasks['t']!.error).to.deep.include({ name: 'NonRetryableError', message: 'the file is gone', code: 'NON_RETRYABLE' });
  });

  it('stops on NonRetryableError thrown after earlier retries', async () => {
    let calls = 0;
    ctx.publish('fatal-later', (wf) =>
      wf.addTask(
        't',
        'T',
        () => {
          calls += 1;
          throw calls < 2 ? new Error('transient') : new NonRetryableError('permanent');
        },
        { retry: { maxAttempts: 5, initialDelayMs: 1 } },
      ),
    );
    const result = await ctx.engine.execute('fatal-later');
    expect(calls).to.equal(2);
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 2 });
    expect(result.tasks['t']!.error?.code).to.equal('NON_RETRYABLE');
  });

  it('stops when retryable(error) returns false, and retries when it returns true', async () => {
    const asked: string[] = [];
    const retryable = (error: Error) => {
      asked.push(`${error.name}:${error.message}`);
      return error.message !== 'permanent';
    };
    ctx.publish('predicate', (wf) =>
      wf
        .addTask('permanent', 'Permanent', failing(10, () => new Error('permanent')), { retry: { maxAttempts: 5, initialDelayMs: 1, retryable } })
        .addTask('transient', 'Transient', failing(2, () => new TypeError('transient')), { retry: { maxAttempts: 5, initialDelayMs: 1, retryable } }),
    );
    const result = await ctx.engine.execute('predicate');
    expect(result.tasks['permanent']).to.include({ status: 'failed', attempts: 1 });
    expect(result.tasks['transient']).to.include({ status: 'succeeded', attempts: 3 });
    expect(asked.filter((entry) => entry === 'Error:permanent')).to.have.length(1);
    expect(asked.filter((entry) => entry === 'TypeError:transient')).to.have.length(2);
  });

  it('stops retrying when the retryable predicate itself throws', async () => {
    ctx.publish('predicate-throws', (wf) =>
      wf.addTask('t', 'T', failing(10), {
        retry: {
          maxAttempts: 5,
          initialDelayMs: 1,
          retryable: () => {
            throw new Error('bug in predicate');
          },
        },
      }),
    );
    const result = await ctx.engine.execute('predicate-throws');
    expect(result.tasks['t']).to.include({ status: 'failed', attempts: 1 });
    expect(result.tasks['t']!.error?.message).to.equal('flaky');
  });

  it('gives the retryable predicate an Error even when the task threw a string', async () => {
    const received: unknown[] = [];
    ctx.publish('predicate-string', (wf) =>
      wf.addTask('t', 'T', failing(1, () => 'plain string'), {
        retry: {
          maxAttempts: 2,
          initialDelayMs: 1,
          retryable: (error) => {
            received.push(error);
            return true;
          },
        },
      }),
    );
    const result = await ctx.engine.execute('predicate-string');
    expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 2 });
    expect(received).to.have.length(1);
    expect(received[0]).to.be.instanceOf(Error);
    expect((received[0] as Error).message).to.equal('plain string');
  });

  it('runs the dependents of a task once it succeeds after retries', async () => {
    ctx.publish('retry-then-continue', (wf) =>
      wf
        .addTask('flaky', 'Flaky', failing(2), { retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } })
        .addTask('next', 'Next', (input: Record<string, unknown>, taskCtx) => taskCtx.upstream['flaky'])
        .addDependency('flaky', 'next'),
    );
    const result = await ctx.engine.execute('retry-then-continue');
    expect(result.status).to.equal('succeeded');
    expect(result.outputs['next']).to.equal('succeeded on call 3');
  });

  // Regression: a retry could start before its failure was committed, so after a crash the log
  // showed attempt 1 running while attempt 2 had in fact started.
  it('starts the next attempt only after the failed attempt is committed, even with no backoff', async () => {
    const slow = new FlakyStore(ctx.target.store);
    slow.commitDelayMs = 40;
    const engine = await createEngine({ storage: slow, logLevel: 'error' });
    try {
      const seenBySecondAttempt: string[] = [];
      engine.publishWorkflow(
        engine
          .createWorkflow('retry-after-commit')
          .addTask(
            't',
            'T',
            async (_input: unknown, taskCtx) => {
              if (taskCtx.attempt === 1) throw new Error('first attempt fails');
              const stored = await ctx.target.store.listTransitions(taskCtx.executionId);
              seenBySecondAttempt.push(...stored.filter((t) => t.taskId === 't').map((t) => `${t.from}→${t.to}#${t.attempt}`));
              return 'ok';
            },
            { retry: { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' } },
          )
          .build(),
      );
      const result = await engine.execute('retry-after-commit');
      expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 2 });
      expect(seenBySecondAttempt).to.include('running→retrying#1');
    } finally {
      await engine.close();
    }
  });

  // Regression: a workflow module with its own copy of task-graph (the CLI's --module, a
  // monorepo) threw a NonRetryableError the engine did not recognise by instanceof, and it retried.
  it('recognises a NonRetryableError from another copy of the package', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'tg-second-copy-'));
    try {
      for (const file of ['errors.ts', 'describeValue.ts', 'defaults.ts']) copyFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib', file), path.join(copy, file));
      const other = (await import(pathToFileURL(path.join(copy, 'errors.ts')).href)) as typeof import('../lib/errors.js');
      expect(other.NonRetryableError).to.not.equal(NonRetryableError); // really a second copy
      const foreign = new other.NonRetryableError('the file is gone');
      expect(foreign instanceof NonRetryableError, 'instanceof across copies').to.equal(true);
      expect(new Error('plain') instanceof NonRetryableError).to.equal(false);
      let calls = 0;
      ctx.publish('foreign-non-retryable', (wf) =>
        wf.addTask(
          't',
          'T',
          () => {
            calls += 1;
            throw new other.NonRetryableError('the file is gone');
          },
          { retry: { maxAttempts: 5, initialDelayMs: 1 } },
        ),
      );
      const result = await ctx.engine.execute('foreign-non-retryable');
      expect(calls).to.equal(1);
      expect(result.tasks['t']).to.include({ status: 'failed', attempts: 1 });
      expect(result.tasks['t']!.error).to.deep.include({ name: 'NonRetryableError', message: 'the file is gone', code: 'NON_RETRYABLE' });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
