/**
 * What a failing task leaves behind: any thrown value is recorded with a readable name and
 * message, a thrown Error with its stack (capped in size), and an output the store cannot hold (not JSON-serialisable, or larger than
 * `maxOutputBytes`) fails the task with OUTPUT_NOT_SERIALIZABLE or OUTPUT_TOO_LARGE, never retried.
 */
import { expect } from 'chai';
import { MAX_RECORDED_STACK_CHARS, MAX_RECORDED_STACK_LINES } from '../lib/defaults.js';
import type { SerializedError } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

forEachStore('task errors', (ctx) => {
  async function errorOf(fn: () => unknown, retry?: { maxAttempts: number }): Promise<{ error: SerializedError | undefined; attempts: number }> {
    const id = `wf-${Math.random().toString(36).slice(2)}`;
    ctx.publish(id, (wf) => wf.addTask('t', 'T', fn, retry ? { retry: { ...retry, initialDelayMs: 1 } } : {}));
    const result = await ctx.engine.execute(id);
    expect(result.status).to.equal('failed');
    expect(result.tasks['t']!.status).to.equal('failed');
    // What execute() reported is what the store kept.
    expect((await ctx.engine.getExecution(result.id)).tasks['t']!.error).to.deep.equal(result.tasks['t']!.error);
    return { error: result.tasks['t']!.error, attempts: result.tasks['t']!.attempts };
  }

  describe('thrown values', () => {
    it('records an Error with its name, message and stack', async () => {
      const { error } = await errorOf(function readsTheIndex() {
        throw new RangeError('index 7 out of range');
      });
      const { stack, ...rest } = error!;
      expect(rest).to.deep.equal({ name: 'RangeError', message: 'index 7 out of range' });
      expect(stack).to.match(/^RangeError: index 7 out of range\n\s+at (Object\.)?readsTheIndex /);
    });

    it('keeps the string code of an Error', async () => {
      const { error } = await errorOf(() => {
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      });
      expect(error).to.deep.include({ name: 'Error', message: 'connection refused', code: 'ECONNREFUSED' });
    });

    it('records a thrown string as the message, without a stack (it has none)', async () => {
      const { error } = await errorOf(() => {
        throw 'plain string failure';
      });
      expect(error).to.deep.equal({ name: 'Error', message: 'plain string failure' });
    });

    it('records a rejected promise of a string', async () => {
      const { error } = await errorOf(() => Promise.reject('async string failure'));
      expect(error?.message).to.equal('async string failure');
    });

    it('records a thrown object with name and message fields by those fields', async () => {
      const { error } = await errorOf(() => {
        throw { name: 'ApiError', message: 'quota exceeded', status: 429 };
      });
      expect(error).to.deep.equal({ name: 'ApiError', message: 'quota exceeded' });
    });

    it('records a thrown object without a message as its JSON', async () => {
      const { error } = await errorOf(() => {
        throw { status: 500, detail: 'upstream' };
      });
      expect(error?.name).to.equal('Error');
      expect(error?.message).to.equal('{"status":500,"detail":"upstream"}');
    });

    for (const [label, value, expected] of [
      ['a number', 42, '42'],
      ['null', null, 'null'],
      ['undefined', undefined, 'undefined'],
      ['a boolean', false, 'false'],
    ] as const) {
      it(`records a thrown ${label} readably`, async () => {
        const { error } = await errorOf(() => {
          throw value;
        });
        expect(error?.name).to.equal('Error');
        expect(error?.message).to.be.a('string').and.include(expected);
        expect(error?.message).not.to.include('[object');
      });
    }

    it('retries a thrown non-Error like any other failure', async () => {
      const { attempts } = await errorOf(() => {
        throw 'always';
      }, { maxAttempts: 3 });
      expect(attempts).to.equal(3);
    });
  });

  describe('stacks', () => {
    it("records each failed attempt's stack with its transition, and the last one with the task", async () => {
      let attempt = 0;
      ctx.publish('stacks', (wf) =>
        wf.addTask('t', 'T', function failsEachTime() {
          attempt += 1;
          throw new Error(`attempt ${attempt} failed`);
        }, { retry: { maxAttempts: 2, initialDelayMs: 1 } }),
      );
      const result = await ctx.engine.execute('stacks');
      expect(result.tasks['t']!.error?.stack).to.match(/^Error: attempt 2 failed\n\s+at (Object\.)?failsEachTime /);
      const recorded = (await ctx.engine.getExecution(result.id)).tasks['t']!.error;
      expect(recorded).to.deep.equal(result.tasks['t']!.error);
      const failures = (await ctx.engine.listTransitions(result.id)).filter((transition) => transition.taskId === 't' && (transition.to === 'retrying' || transition.to === 'failed'));
      expect(failures.map((transition) => transition.data?.error?.stack?.split('\n')[0])).to.deep.equal(['Error: attempt 1 failed', 'Error: attempt 2 failed']);
      for (const transition of failures) {
        // the event fed back by verifyReplay keeps the error without its stack: data.error holds it
        const event = transition.data?.event as { outcome: { error: SerializedError } };
        expect(event.outcome.error).to.deep.equal({ name: 'Error', message: transition.data?.error?.message });
      }
      expect(await ctx.engine.verifyReplay(result.id)).to.deep.equal({ ok: true, steps: (await ctx.engine.listTransitions(result.id)).length });
      expect(result.error?.stack, "the execution's own error is made up by the engine: no stack").to.equal(undefined);
    });

    it(`keeps the first ${MAX_RECORDED_STACK_LINES} lines of a deep stack, and says how much was cut`, async () => {
      const frames = Array.from({ length: 500 }, (_, i) => `    at recurse${i} (file:///app/deep.js:${i}:1)`);
      const { error } = await errorOf(() => {
        throw Object.assign(new Error('too deep'), { stack: ['Error: too deep', ...frames].join('\n') });
      });
      const lines = error!.stack!.split('\n');
      expect(lines.slice(0, MAX_RECORDED_STACK_LINES)).to.deep.equal(['Error: too deep', ...frames.slice(0, MAX_RECORDED_STACK_LINES - 1)]);
      expect(lines).to.have.length(MAX_RECORDED_STACK_LINES + 1);
      expect(lines[MAX_RECORDED_STACK_LINES]).to.match(/stack cut: \d+ of its \d+ characters, 501 lines, left out/);
    });

    it(`keeps at most ${MAX_RECORDED_STACK_CHARS} characters of a stack with a huge message`, async () => {
      const message = '🐬'.repeat(50_000);
      const { error } = await errorOf(() => {
        throw new Error(message);
      });
      expect(error!.message).to.equal(message);
      const [kept, note] = error!.stack!.split('\n');
      expect(kept!.length).to.be.at.most(MAX_RECORDED_STACK_CHARS);
      expect(kept!.length).to.be.at.least(MAX_RECORDED_STACK_CHARS - 1);
      expect(kept!.endsWith('🐬'), 'no half of a surrogate pair is kept').to.equal(true);
      expect(note).to.match(/stack cut/);
    });
  });

  describe('outputs the store cannot hold', () => {
    const cases: [string, () => unknown][] = [
      ['a BigInt', () => 10n],
      ['a BigInt inside an object', () => ({ total: 10n })],
      ['a function', () => () => 1],
      ['a function inside an object', () => ({ callback: () => 1 })],
      [
        'a circular object',
        () => {
          const node: Record<string, unknown> = { name: 'loop' };
          node['self'] = node;
          return node;
        },
      ],
      ['a symbol', () => Symbol('s')],
      ['NaN inside an array', () => [1, Number.NaN]],
      ['a Map', () => new Map([['k', 1]])],
    ];
    for (const [label, fn] of cases) {
      it(`fails a task returning ${label} with OUTPUT_NOT_SERIALIZABLE, without retrying`, async () => {
        const { error, attempts } = await errorOf(fn, { maxAttempts: 3 });
        expect(error).to.deep.include({ name: 'TaskOutputError', code: 'OUTPUT_NOT_SERIALIZABLE' });
        expect(error?.message).to.include('"t"');
        expect(attempts).to.equal(1);
      });
    }

    it('skips the dependents of a task whose output could not be stored', async () => {
      ctx.publish('unstorable', (wf) => wf.addTask('t', 'T', () => 1n).addTask('next', 'Next', () => 1).addDependency('t', 'next'));
      const result = await ctx.engine.execute('unstorable');
      expect(result.tasks['next']!.status).to.equal('skipped');
    });

    it('stores an output as its JSON round trip (a Date becomes its ISO string)', async () => {
      const when = new Date('2024-01-02T03:04:05.678Z');
      ctx.publish('json', (wf) => wf.addTask('t', 'T', () => ({ when, missing: undefined, list: [undefined, 1] })));
      const result = await ctx.engine.execute('json');
      expect(result.outputs['t']).to.deep.equal({ when: '2024-01-02T03:04:05.678Z', list: [null, 1] });
      expect((await ctx.engine.getExecution(result.id)).outputs['t']).to.deep.equal(result.outputs['t']);
    });
  });

  describe('maxOutputBytes', () => {
    it('fails an output larger than createEngine({ maxOutputBytes }) with OUTPUT_TOO_LARGE and keeps one at the limit', async () => {
      const engine = await ctx.reopenEngine({ maxOutputBytes: 100 });
      const atLimit = 'x'.repeat(98); // JSON adds the two quotes: 100 bytes
      const overLimit = 'x'.repeat(99);
      engine.publishWorkflow(
        engine
          .createWorkflow('sizes')
          .addTask('fits', 'Fits', () => atLimit)
          .addTask('too-large', 'Too large', () => overLimit, { retry: { maxAttempts: 3, initialDelayMs: 1 } })
          .build(),
      );
      const result = await engine.execute('sizes');
      expect(result.tasks['fits']!.status).to.equal('succeeded');
      expect(result.outputs['fits']).to.equal(atLimit);
      expect(result.tasks['too-large']).to.include({ status: 'failed', attempts: 1 });
      expect(result.tasks['too-large']!.error).to.deep.include({ name: 'TaskOutputError', code: 'OUTPUT_TOO_LARGE' });
      expect(result.tasks['too-large']!.error!.message).to.include('101').and.to.include('100');
    });

    it('counts bytes, not characters', async () => {
      const engine = await ctx.reopenEngine({ maxOutputBytes: 20 });
      engine.publishWorkflow(engine.createWorkflow('bytes').addTask('t', 'T', () => '🐬'.repeat(5)).build()); // 5 chars × 4 bytes + 2 quotes
      const result = await engine.execute('bytes');
      expect(result.tasks['t']!.error?.code).to.equal('OUTPUT_TOO_LARGE');
    });
  });
});
