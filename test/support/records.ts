/**
 * Record builders for store tests: valid records with every field set, overridable field by
 * field, and ids that a careless store would mangle.
 */
import type { ExecutionRecord, TaskRunRecord, TransitionRecord } from '../../lib/store/records.js';

export const T0 = Date.parse('2024-05-01T12:00:00.123Z');
export const at = (offsetMs: number) => new Date(T0 + offsetMs);

export const SQL_INJECTION = "'; DROP TABLE tg_executions; --";
/** Distinct ids that a case-insensitive, pad-space or emoji-blind collation would confuse. */
export const AWKWARD_IDS = [
  'a',
  'A',
  'a ',
  '🐬',
  '🐟',
  '任务一',
  SQL_INJECTION,
  'quote\'s "double" `back` \\ slash',
  'line\nbreak\ttab',
  'ümlaut-ß-Ω',
];

export function execution(id: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id,
    workflowId: 'wf',
    workflowVersion: '1.0.0',
    status: 'pending',
    input: { n: 1, s: 'x', nested: { list: [1, 'two', null, { deep: true }] }, nothing: null },
    output: null,
    error: null,
    concurrency: 4,
    failurePolicy: 'continue',
    createdAt: at(0),
    startedAt: null,
    finishedAt: null,
    ownerId: null,
    heartbeatAt: null,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    leaseUntil: null,
    fencingToken: 0,
    graph: { description: 'a graph', tasks: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B ✓' }], edges: [['a', 'b']] },
    ...overrides,
  };
}

export function taskRun(executionId: string, taskId: string, overrides: Partial<TaskRunRecord> = {}): TaskRunRecord {
  return {
    executionId,
    taskId,
    status: 'pending',
    attempt: 0,
    output: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    nextRetryAt: null,
    ...overrides,
  };
}

export function transition(executionId: string, seq: number, overrides: Partial<TransitionRecord> = {}): TransitionRecord {
  return {
    executionId,
    seq,
    taskId: 'a',
    from: 'pending',
    to: 'running',
    event: 'task.started',
    attempt: 1,
    at: at(seq),
    data: null,
    snapshot: { status: 'active', value: 'running', context: { attempt: 1 } },
    snapshotFormat: 1,
    machineVersion: 'task@1',
    ...overrides,
  };
}

export const byTaskId = (a: TaskRunRecord, b: TaskRunRecord) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
