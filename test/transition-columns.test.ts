import { expect } from 'chai';
import { TransitionColumns } from '../lib/store/memory/TransitionColumns.js';
import type { TransitionRecord } from '../lib/store/records.js';

function transition(seq: number, to: string, snapshot: unknown, snapshotFormat = 2): TransitionRecord {
  return {
    executionId: 'e1',
    seq,
    taskId: 'load',
    from: 'pending',
    to,
    event: 'task.start',
    attempt: 1,
    at: new Date(Date.UTC(2026, 10, 28, 12, 0, 0, seq)),
    data: { event: { type: 'task.start' } },
    snapshot,
    snapshotFormat,
    machineVersion: 'task@4',
  };
}

describe('the memory store’s transition columns', () => {
  it('gives back every snapshot as it was stored, whether it keeps it whole or as its context', () => {
    const context = { executionId: 'e1', taskId: 'load', attempt: 1, retryAt: null, retryDelayMs: null, output: { rows: 3 }, error: null };
    const stored = [
      transition(1, 'running', { status: 'active', value: 'running', context }),
      transition(2, 'succeeded', { status: 'done', value: 'succeeded', context }),
      transition(3, 'running', { status: 'active', value: 'retrying', context }), // value is not the transition's `to`
      transition(4, 'running', { status: 'active', value: 'running', context, historyValue: {} }), // a key more
      transition(5, 'running', { status: 'error', value: 'running', context }),
      transition(6, 'running', { status: 'active', value: 'running', context, children: {}, historyValue: {} }, 1), // format 1
      transition(7, 'running', { status: 'active', value: 'running' }), // no context
      transition(8, 'running', null),
    ];
    const columns = new TransitionColumns('e1');
    for (const record of stored) columns.add(record);
    expect(columns.records()).to.deep.equal(stored);
    expect(columns.lastOf(new Set(['load']))).to.deep.equal([stored[7]]);
  });

  it('keeps the first transition stored at a seq', () => {
    const columns = new TransitionColumns('e1');
    const first = transition(1, 'running', { status: 'active', value: 'running', context: { attempt: 1 } });
    columns.add(first);
    columns.add(transition(1, 'failed', { status: 'done', value: 'failed', context: { attempt: 2 } }));
    expect(columns.records()).to.deep.equal([first]);
  });
});
