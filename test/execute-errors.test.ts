/**
 * What `execute` and `start` refuse. A failing task is not an error of `execute` (it resolves with
 * status 'failed'); engine-level problems are: an unknown workflow (WorkflowNotFoundError), a
 * closed engine (EngineClosedError), bad options or input (InvalidOptionsError).
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, EngineClosedError, InvalidOptionsError, TaskGraphError, WorkflowNotFoundError } from '../lib/index.js';
import type { EngineOptions, ExecuteOptions } from '../lib/index.js';
import { forEachStore, waitUntil, whenAborted } from './support/engines.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  expect.fail('expected a rejection');
}

forEachStore('execute errors', (ctx) => {
  beforeEach(() => {
    ctx.publish('known', (wf) => wf.addTask('t', 'T', () => 1));
  });

  it("resolves with status 'failed' when a task fails", async () => {
    ctx.publish('failing', (wf) =>
      wf.addTask('t', 'T', () => {
        throw new Error('task failure');
      }),
    );
    const result = await ctx.engine.execute('failing');
    expect(result.status).to.equal('failed');
  });

  it('rejects an unknown workflow with WorkflowNotFoundError naming it and the published ones', async () => {
    const error = await rejection(ctx.engine.execute('unknown'));
    expect(error).to.be.instanceOf(WorkflowNotFoundError).and.instanceOf(TaskGraphError);
    expect((error as WorkflowNotFoundError).code).to.equal('WORKFLOW_NOT_FOUND');
    expect((error as WorkflowNotFoundError).workflowId).to.equal('unknown');
    expect(error.message).to.include('"unknown"').and.to.include('"known"');
    expect(() => ctx.engine.start('unknown')).to.throw(WorkflowNotFoundError);
  });

  it('rejects with EngineClosedError after close()', async () => {
    const engine = await ctx.openEngine();
    engine.publishWorkflow(engine.createWorkflow('known').addTask('t', 'T', () => 1).build());
    await engine.close();
    const error = await rejection(engine.execute('known'));
    expect(error).to.be.instanceOf(EngineClosedError);
    expect((error as EngineClosedError).code).to.equal('ENGINE_CLOSED');
    expect(() => engine.start('known')).to.throw(EngineClosedError);
    expect(() => engine.publishWorkflow(engine.createWorkflow('other').addTask('t', 'T', () => 1).build())).to.throw(EngineClosedError);
    await engine.close(); // closing twice is harmless
  });

  it('rejects the result of an execution still running when the engine closes, and aborts its tasks', async () => {
    const engine = await ctx.openEngine();
    let aborted: Promise<unknown> | null = null;
    engine.publishWorkflow(
      engine
        .createWorkflow('interrupted')
        .addTask('t', 'T', (_input, taskCtx) => {
          aborted = whenAborted(taskCtx.signal);
          return aborted;
        })
        .build(),
    );
    const handle = engine.start('interrupted');
    await waitUntil(() => aborted !== null, 'the task sees the abort');
    await engine.close();
    expect(await rejection(handle.result)).to.be.instanceOf(EngineClosedError);
    await aborted;
    expect(engine.stats().activeExecutions).to.equal(0);
  });

  const badOptions: [string, ExecuteOptions, string][] = [
    ['concurrency 0', { concurrency: 0 }, 'concurrency'],
    ['a negative concurrency', { concurrency: -2 }, 'concurrency'],
    ['a fractional concurrency', { concurrency: 1.5 }, 'concurrency'],
    ['a string concurrency', { concurrency: '4' as unknown as number }, 'concurrency'],
    ["failurePolicy 'x'", { failurePolicy: 'x' as never }, 'failurePolicy'],
    ['a signal that is not an AbortSignal', { signal: { aborted: false } as unknown as AbortSignal }, 'signal'],
  ];
  for (const [label, options, option] of badOptions) {
    it(`rejects ${label} with InvalidOptionsError naming the option`, async () => {
      const error = await rejection(ctx.engine.execute('known', {}, options));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).code).to.equal('INVALID_OPTIONS');
      expect((error as InvalidOptionsError).option).to.equal(option);
      expect(error.message).to.include(option);
      expect(() => ctx.engine.start('known', {}, options)).to.throw(InvalidOptionsError);
    });
  }

  // Regression: a misspelt option was silently ignored (execute('wf', {}, { concurency: 1 }) ran at 8).
  it('refuses an unknown option of execute and start, naming the closest known one', async () => {
    const options = { concurency: 1 } as ExecuteOptions;
    const error = await rejection(ctx.engine.execute('known', {}, options));
    expect(error).to.be.instanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).to.equal('concurency');
    expect((error as InvalidOptionsError).suggestion).to.equal('concurrency');
    expect(error.message).to.equal('Unknown option concurency of execute. Did you mean concurrency?');
    expect(() => ctx.engine.start('known', {}, { signl: new AbortController().signal } as ExecuteOptions)).to.throw(
      InvalidOptionsError,
      'Unknown option signl of start. Did you mean signal?',
    );
    expect(() => ctx.engine.start('known', {}, { priority: 1 } as ExecuteOptions)).to.throw(
      InvalidOptionsError,
      'Unknown option priority of start. Known options: concurrency, failurePolicy, signal, parentContext.',
    );
    expect(await ctx.engine.listExecutions()).to.deep.equal([]);
  });

  it('rejects options that are not an object', async () => {
    const error = await rejection(ctx.engine.execute('known', {}, null as unknown as ExecuteOptions));
    expect(error).to.be.instanceOf(InvalidOptionsError);
  });

  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const badInputs: [string, unknown][] = [
    ['a BigInt', { n: 1n }],
    ['a function', { callback: () => 1 }],
    ['a circular object', circular],
  ];
  for (const [label, input] of badInputs) {
    it(`rejects an input holding ${label} with InvalidOptionsError`, async () => {
      const error = await rejection(ctx.engine.execute('known', input));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).to.equal('input');
      expect(error.message).to.match(/^The execution input is not JSON-serialisable: /).and.not.to.contain('Task');
      expect(error.message.split('\n')).to.have.length(1);
    });
  }

  // Regression: it said 'Task "(execution input)" returned a value that is not JSON-serialisable'.
  it('says what in the execution input cannot be stored', async () => {
    const error = await rejection(ctx.engine.execute('known', { file: 'a.csv', size: 10n }));
    expect(error.message).to.equal(
      'The execution input is not JSON-serialisable: key "size" is a BigInt (10n). Pass plain data (objects, arrays, strings, numbers, booleans, null).',
    );
    expect(() => ctx.engine.start('known', Number.NaN)).to.throw(InvalidOptionsError, 'The execution input is not JSON-serialisable: it is NaN.');
  });

  it('records nothing for a refused execution', async () => {
    await rejection(ctx.engine.execute('known', {}, { concurrency: 0 }));
    await rejection(ctx.engine.execute('unknown'));
    expect(await ctx.engine.listExecutions()).to.deep.equal([]);
  });
});

describe('createEngine option errors', () => {
  const bad: [string, EngineOptions, string][] = [
    ['concurrency 0', { concurrency: 0 }, 'concurrency'],
    ["failurePolicy 'x'", { failurePolicy: 'x' as never }, 'failurePolicy'],
    ['retry maxAttempts 0', { retry: { maxAttempts: 0 } }, 'retry'],
    ["retry jitter 'half'", { retry: { jitter: 'half' as never } }, 'retry'],
    ['maxOutputBytes -1', { maxOutputBytes: -1 }, 'maxOutputBytes'],
    ['a storage that is neither a URL nor a store', { storage: 42 as never }, 'storage'],
  ];
  // Regression: a misspelt option was silently ignored (createEngine({ concurency: 4 }) ran at 8).
  for (const [options, option, suggestion, message] of [
    [{ concurency: 4 }, 'concurency', 'concurrency', 'Unknown option concurency of createEngine. Did you mean concurrency?'],
    [{ loglevel: 'warn' }, 'loglevel', 'logLevel', 'Unknown option loglevel of createEngine. Did you mean logLevel?'],
    [{ failurepolicy: 'fail-fast', concurrency: 2 }, 'failurepolicy', 'failurePolicy', 'Unknown option failurepolicy of createEngine. Did you mean failurePolicy?'],
    [{ retry: { maxAttempt: 3 } }, 'retry.maxAttempt', 'retry.maxAttempts', 'Unknown option retry.maxAttempt of createEngine. Did you mean retry.maxAttempts?'],
    [{ retry: { attempts: 3 } }, 'retry.attempts', 'retry.maxAttempts', 'Unknown option retry.attempts of createEngine. Did you mean retry.maxAttempts?'],
    [{ retry: { backofFactor: 3, maxAttempts: 2 } }, 'retry.backofFactor', 'retry.backoffFactor', 'Unknown option retry.backofFactor of createEngine. Did you mean retry.backoffFactor?'],
  ] as const) {
    it(`refuses the unknown option ${option}, naming the closest known one`, async () => {
      const error = await rejection(createEngine({ storage: 'memory', logLevel: 'error', ...(options as unknown as EngineOptions) }));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).code).to.equal('INVALID_OPTIONS');
      expect((error as InvalidOptionsError).option).to.equal(option);
      expect((error as InvalidOptionsError).suggestion).to.equal(suggestion);
      expect(error.message).to.equal(message);
    });
  }

  it('lists the known options when no known one is close to the unknown one', async () => {
    const error = await rejection(createEngine({ storage: 'memory', logLevel: 'error', color: true } as EngineOptions));
    expect(error).to.be.instanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).suggestion).to.equal(undefined);
    expect(error.message).to.match(/^Unknown option color of createEngine\. Known options: storage, concurrency, failurePolicy, retry, .*leaseMs, ownerStaleAfterMs, progressIntervalMs, recover, recoveryIntervalMs, maxExecutions, workflowConcurrency, redis\.$/);
    const retry = await rejection(createEngine({ storage: 'memory', logLevel: 'error', retry: { color: 'red' } as never }));
    expect(retry.message).to.equal(
      'Unknown option retry.color of createEngine. Known options: retry.maxAttempts, retry.initialDelayMs, retry.backoffFactor, retry.maxDelayMs, retry.jitter, retry.retryable.',
    );
  });

  it('refuses an unknown option before opening the store', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-options-'));
    try {
      const file = path.join(dir, 'never.db');
      const error = await rejection(createEngine({ storage: `sqlite:${file}`, logLevel: 'error', concurency: 2 } as EngineOptions));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect(existsSync(file)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Regression: the messages went through JSON, which writes NaN and Infinity as null.
  for (const [options, message] of [
    [{ concurrency: Number.NaN }, 'Invalid option concurrency: NaN. Expected an integer >= 1.'],
    [{ maxOutputBytes: Number.POSITIVE_INFINITY }, 'Invalid option maxOutputBytes: Infinity. Expected a positive number.'],
    [{ closeTimeoutMs: Number.NEGATIVE_INFINITY }, 'Invalid option closeTimeoutMs: -Infinity. Expected a positive number.'],
    [
      { retry: { maxAttempts: Number.NaN, jitter: undefined } },
      'Invalid option retry: {"maxAttempts":NaN,"jitter":undefined}. Expected a valid retry policy (maxAttempts must be an integer >= 1, got NaN).',
    ],
  ] as const) {
    it(`says what was given in the message: ${message}`, async () => {
      const error = await rejection(createEngine({ storage: 'memory', logLevel: 'error', ...(options as EngineOptions) }));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect(error.message).to.equal(message);
    });
  }

  for (const [label, options, option] of bad) {
    it(`rejects ${label} with InvalidOptionsError`, async () => {
      const error = await rejection(createEngine({ storage: 'memory', logLevel: 'error', ...options }));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).to.equal(option);
    });
  }
});
