import { expect } from 'chai';
import { createActor } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { taskMachine } from '../machines/task.js';
import type { TaskEvent } from '../machines/task.js';
import { taskActorLogic } from '../lib/engine/taskActorLogic.js';

function stateOf(actor: AnyActorRef): unknown {
  const { status, value, context } = actor.getSnapshot() as { status: string; value: unknown; context: unknown };
  return { status, value, context };
}

/** The same events sent to an actor of the task machine and to one of the engine's logic: the same snapshot after each. */
function compare(events: readonly TaskEvent[]): void {
  const input = { executionId: 'e-1', taskId: 'load' };
  const machine = createActor(taskMachine, { input }).start();
  const engine = createActor(taskActorLogic, { input }).start();
  expect(stateOf(engine), 'first snapshot').to.deep.equal(stateOf(machine));
  for (const event of events) {
    machine.send(event);
    engine.send(event);
    expect(stateOf(engine), `after ${event.type}`).to.deep.equal(stateOf(machine));
  }
}

describe('the task actors the supervisor spawns', () => {
  it('start from the task machine’s own first snapshot: pending, active, the context its input gives', () => {
    const snapshot = createActor(taskActorLogic, { input: { executionId: 'e-1', taskId: 'load' } }).getSnapshot();
    expect(snapshot.value).to.equal('pending');
    expect(snapshot.status).to.equal('active');
    expect(snapshot.context).to.deep.equal({ executionId: 'e-1', taskId: 'load', attempt: 0, retryAt: null, retryDelayMs: null, output: undefined, error: null });
    compare([]);
  });

  it('take the same transitions as the task machine: success, a retry then failure, a skip, a cancel', () => {
    const error = { name: 'Error', message: 'boom' };
    compare([{ type: 'task.start' }, { type: 'attempt.done', outcome: { kind: 'succeeded', output: { rows: 3 } } }]);
    compare([
      { type: 'task.start' },
      { type: 'attempt.done', outcome: { kind: 'retry', error, delayMs: 100, retryAt: 1_700_000_000_000 } },
      { type: 'task.retry' },
      { type: 'attempt.done', outcome: { kind: 'failed', error } },
    ]);
    compare([{ type: 'task.skip', reason: 'upstream "extract" failed' }]);
    compare([{ type: 'task.start' }, { type: 'task.cancel', reason: 'cancelled by the caller' }]);
    compare([{ type: 'task.adopt', output: 7, fromExecutionId: 'e-0' }]);
  });

  it('restore a stored snapshot as the task machine does', () => {
    const running = createActor(taskMachine, { input: { executionId: 'e-1', taskId: 'load' } }).start();
    running.send({ type: 'task.start' });
    const persisted = running.getPersistedSnapshot();
    const restored = createActor(taskActorLogic, { snapshot: persisted, input: { executionId: 'e-1', taskId: 'load' } }).start();
    expect(stateOf(restored)).to.deep.equal(stateOf(running));
    restored.send({ type: 'attempt.done', outcome: { kind: 'succeeded', output: 1 } });
    expect(restored.getSnapshot().value).to.equal('succeeded');
  });
});
