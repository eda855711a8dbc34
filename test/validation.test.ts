/**
 * `build()` refuses an invalid workflow with a WorkflowValidationError naming the offending ids.
 * Validation never touches the store, so these tests use one memory engine.
 */
import { expect } from 'chai';
import { MAX_DURATION_MS } from '../lib/defaults.js';
import { createEngine, createWorkflow, WorkflowValidationError } from '../lib/index.js';
import type { Engine, TaskFunction, WorkflowBuilder } from '../lib/index.js';

const noop: TaskFunction = () => null;

function buildError(build: () => unknown): WorkflowValidationError {
  try {
    build();
  } catch (error) {
    expect(error).to.be.instanceOf(WorkflowValidationError);
    const validation = error as WorkflowValidationError;
    expect(validation.code).to.equal('WORKFLOW_INVALID');
    expect(validation.name).to.equal('WorkflowValidationError');
    return validation;
  }
  expect.fail('build() accepted an invalid workflow');
}

describe('workflow validation at build()', () => {
  let engine: Engine;
  let workflow: (id?: string) => WorkflowBuilder;

  before(async () => {
    engine = await createEngine({ storage: 'memory', logLevel: 'error' });
    workflow = (id = 'wf') => engine.createWorkflow(id);
  });
  after(() => engine.close());

  describe('cycles', () => {
    it('names the path of a three-task cycle in ids and in the message', () => {
      const error = buildError(() =>
        workflow()
          .addTask('start', 'Start', noop)
          .addTask('a', 'A', noop)
          .addTask('b', 'B', noop)
          .addTask('c', 'C', noop)
          .addDependency('start', 'a')
          .addDependency('a', 'b')
          .addDependency('b', 'c')
          .addDependency('c', 'a')
          .build(),
      );
      expect(error.reason).to.equal('CYCLE');
      expect(error.workflowId).to.equal('wf');
      // The path is closed on itself: it starts and ends with the same task.
      expect(error.ids).to.have.length(4);
      expect(error.ids[0]).to.equal(error.ids[3]);
      expect([...error.ids.slice(0, 3)].sort()).to.deep.equal(['a', 'b', 'c']);
      expect(isPathOfEdges(error.ids, [['a', 'b'], ['b', 'c'], ['c', 'a']])).to.equal(true);
      expect(error.message).to.include(error.ids.map((id) => JSON.stringify(id)).join(' → '));
      expect(error.ids).not.to.include('start');
    });

    it('names a two-task cycle', () => {
      const error = buildError(() => workflow().addTask('x', 'X', noop).addTask('y', 'Y', noop).addDependency('x', 'y').addDependency('y', 'x').build());
      expect(error.reason).to.equal('CYCLE');
      expect(error.ids).to.have.length(3);
      expect(error.ids[0]).to.equal(error.ids[2]);
      expect([...error.ids.slice(0, 2)].sort()).to.deep.equal(['x', 'y']);
      expect(error.message).to.include('"x"').and.to.include('"y"');
    });

    it('names only the tasks on the cycle when the cycle sits downstream of a long chain', () => {
      const builder = workflow();
      for (let i = 0; i < 20; i++) builder.addTask(`t${i}`, `T${i}`, noop);
      for (let i = 0; i < 19; i++) builder.addDependency(`t${i}`, `t${i + 1}`);
      builder.addDependency('t19', 't15');
      const error = buildError(() => builder.build());
      expect(error.reason).to.equal('CYCLE');
      expect([...new Set(error.ids)].sort()).to.deep.equal(['t15', 't16', 't17', 't18', 't19']);
    });

    // Regression: the cycle search started from the first task left with in-degree > 0, which may
    // be a task merely downstream of the cycle; it reported ids [undefined, undefined].
    it('names the cycle when a task downstream of the cycle was added before it', () => {
      const error = buildError(() =>
        workflow()
          .addTask('report', 'Report', noop)
          .addTask('a', 'A', noop)
          .addTask('b', 'B', noop)
          .addDependency('a', 'b')
          .addDependency('b', 'a')
          .addDependency('a', 'report')
          .build(),
      );
      expect(error.reason).to.equal('CYCLE');
      expect(error.ids).to.have.length(3);
      expect(error.ids[0]).to.equal(error.ids[2]);
      expect([...error.ids.slice(0, 2)].sort()).to.deep.equal(['a', 'b']);
      expect(error.message).to.include('"a"').and.to.include('"b"');
    });
  });

  it('rejects a dependency on an unknown task, naming it', () => {
    const error = buildError(() => workflow().addTask('a', 'A', noop).addDependency('a', 'ghost').build());
    expect(error.reason).to.equal('UNKNOWN_TASK');
    expect(error.ids).to.deep.equal(['ghost']);
    expect(error.message).to.include('"ghost"');
  });

  it('rejects a dependency from an unknown task, naming it', () => {
    const error = buildError(() => workflow().addTask('a', 'A', noop).addDependency('phantom', 'a').build());
    expect(error.reason).to.equal('UNKNOWN_TASK');
    expect(error.ids).to.deep.equal(['phantom']);
  });

  it('rejects a duplicate task id, naming it', () => {
    const error = buildError(() => workflow().addTask('a', 'A', noop).addTask('b', 'B', noop).addTask('a', 'Again', noop).build());
    expect(error.reason).to.equal('DUPLICATE_TASK');
    expect(error.ids).to.deep.equal(['a']);
    expect(error.message).to.include('"a"');
  });

  it('rejects a task that depends on itself', () => {
    const error = buildError(() => workflow().addTask('a', 'A', noop).addDependency('a', 'a').build());
    expect(error.reason).to.equal('SELF_DEPENDENCY');
    expect(error.ids).to.deep.equal(['a']);
  });

  it('rejects an empty workflow', () => {
    const error = buildError(() => workflow('empty').build());
    expect(error.reason).to.equal('EMPTY');
    expect(error.ids).to.deep.equal([]);
    expect(error.workflowId).to.equal('empty');
    expect(error.message).to.include('"empty"');
  });

  for (const [label, fn] of [
    ['a string', 'not a function'],
    ['null', null],
    ['an object', { run: noop }],
  ] as const) {
    it(`rejects a task whose function is ${label}`, () => {
      const error = buildError(() => workflow().addTask('ok', 'OK', noop).addTask('bad', 'Bad', fn as unknown as TaskFunction).build());
      expect(error.reason).to.equal('TASK_NOT_A_FUNCTION');
      expect(error.ids).to.deep.equal(['bad']);
    });
  }

  const badRetries: [string, Record<string, unknown>][] = [
    ['maxAttempts 0', { maxAttempts: 0 }],
    ['maxAttempts 1.5', { maxAttempts: 1.5 }],
    ['a negative initialDelayMs', { initialDelayMs: -1 }],
    ['a NaN initialDelayMs', { initialDelayMs: Number.NaN }],
    ['backoffFactor 0.5', { backoffFactor: 0.5 }],
    ['an infinite maxDelayMs', { maxDelayMs: Number.POSITIVE_INFINITY }],
    ['an initialDelayMs past 100 years', { initialDelayMs: 1e14 }],
    ['a maxDelayMs past 100 years', { maxDelayMs: 1e14 }],
    ["jitter 'some'", { jitter: 'some' }],
    ['a retryable that is not a function', { retryable: true }],
  ];
  for (const [label, retry] of badRetries) {
    it(`rejects a retry policy with ${label}`, () => {
      const error = buildError(() => workflow().addTask('a', 'A', noop).addTask('b', 'B', noop, { retry: retry as never }).build());
      expect(error.reason).to.equal('INVALID_RETRY');
      expect(error.ids).to.deep.equal(['b']);
      expect(error.message).to.include('"b"');
    });
  }

  for (const timeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '100', 1e14]) {
    it(`rejects timeoutMs ${String(timeoutMs)}`, () => {
      const error = buildError(() => workflow().addTask('a', 'A', noop, { timeoutMs: timeoutMs as number }).build());
      expect(error.reason).to.equal('INVALID_TIMEOUT');
      expect(error.ids).to.deep.equal(['a']);
    });
  }

  // Regression: a misspelt task option or retry key was silently ignored ({ timeout: 50 } set no
  // timeout; { retry: { maxAttempt: 3 } } did not retry).
  for (const [options, reason, message] of [
    [{ timeout: 50 }, 'UNKNOWN_OPTION', 'Task "b" has an unknown option timeout (did you mean timeoutMs?).'],
    [{ retries: 3 }, 'UNKNOWN_OPTION', 'Task "b" has an unknown option retries (did you mean retry?).'],
    [{ priority: 1 }, 'UNKNOWN_OPTION', 'Task "b" has an unknown option priority (known options: retry, timeoutMs, queue).'],
    [{ queue: 'gpu:1' }, 'INVALID_QUEUE', `Task "b" has queue "gpu:1": expected 1 to 64 letters, digits, '-' or '_'.`],
    [{ retry: { maxAttempt: 3 } }, 'INVALID_RETRY', 'Task "b" has an invalid retry policy: unknown option maxAttempt (did you mean maxAttempts?).'],
    [{ retry: { maxAttempts: 3, backof: 2 } }, 'INVALID_RETRY', 'Task "b" has an invalid retry policy: unknown option backof (known options: maxAttempts, initialDelayMs, backoffFactor, maxDelayMs, jitter, retryable).'],
  ] as const) {
    it(`refuses an unknown task option: ${message}`, () => {
      const error = buildError(() => workflow().addTask('a', 'A', noop).addTask('b', 'B', noop, options as never).build());
      expect(error.reason).to.equal(reason);
      expect(error.ids).to.deep.equal(['b']);
      expect(error.message).to.equal(message);
    });
  }

  // Regression: createWorkflow('wf', { versoin: '2' }) was built with the hash as its version.
  it('refuses an unknown option of the workflow itself', () => {
    for (const create of [(options: object) => createWorkflow('wf', options), (options: object) => engine.createWorkflow('wf', options)]) {
      const error = buildError(() => create({ versoin: '2025-06' }).addTask('a', 'A', noop).build());
      expect(error.reason).to.equal('UNKNOWN_OPTION');
      expect(error.ids).to.deep.equal([]);
      expect(error.message).to.equal('Workflow "wf" has an unknown option versoin (did you mean version?).');
    }
  });

  it('checks the options of the last addTask of an id, and the standalone createWorkflow too', () => {
    expect(() => createWorkflow('wf').addTask('a', 'A', noop, { timout: 5 } as never).build()).to.throw(WorkflowValidationError, 'unknown option timout');
    const duplicate = buildError(() => workflow().addTask('a', 'A', noop, { timout: 5 } as never).addTask('a', 'A', noop).build());
    expect(duplicate.reason).to.equal('DUPLICATE_TASK');
  });

  // Regression: the messages went through JSON, which writes NaN and Infinity as null
  // ('Task "t" has timeoutMs null').
  for (const [timeoutMs, shown] of [
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ] as const) {
    it(`says timeoutMs ${shown}, not null, in the message`, () => {
      const error = buildError(() => workflow().addTask('t', 'T', noop, { timeoutMs }).build());
      expect(error.message).to.equal(`Task "t" has timeoutMs ${shown}: expected a positive number of milliseconds, at most ${MAX_DURATION_MS} (100 years).`);
    });
  }

  for (const [retry, shown] of [
    [{ maxAttempts: Number.NaN }, 'maxAttempts must be an integer >= 1, got NaN'],
    [{ initialDelayMs: Number.NEGATIVE_INFINITY }, `initialDelayMs must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got -Infinity`],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, `maxDelayMs must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got Infinity`],
    [{ jitter: Symbol('full') }, "jitter must be 'full' or 'none', got Symbol(full)"],
    [{ retryable: { yes: true } }, 'retryable must be a function (error) => boolean, got {"yes":true}'],
  ] as const) {
    it(`names the retry value in the message: ${shown}`, () => {
      const error = buildError(() => workflow().addTask('t', 'T', noop, { retry: retry as never }).build());
      expect(error.message).to.equal(`Task "t" has an invalid retry policy: ${shown}.`);
    });
  }

  it('accepts a valid diamond and orders every task after its upstreams', () => {
    const built = workflow()
      .addTask('d', 'D', noop)
      .addTask('b', 'B', noop)
      .addTask('c', 'C', noop)
      .addTask('a', 'A', noop, { retry: { maxAttempts: 3, initialDelayMs: 0, jitter: 'none' }, timeoutMs: 50 })
      .addDependency('a', 'b')
      .addDependency('a', 'c')
      .addDependency('b', 'd')
      .addDependency('c', 'd')
      .build();
    const order = built.topologicalOrder;
    expect([...order].sort()).to.deep.equal(['a', 'b', 'c', 'd']);
    for (const [from, to] of [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']] as const) {
      expect(order.indexOf(from)).to.be.lessThan(order.indexOf(to));
    }
  });
});

function isPathOfEdges(path: readonly string[], edges: readonly (readonly [string, string])[]): boolean {
  for (let i = 0; i + 1 < path.length; i++) {
    if (!edges.some(([from, to]) => from === path[i] && to === path[i + 1])) return false;
  }
  return true;
}
