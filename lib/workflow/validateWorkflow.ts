/**
 * The checks `build()` runs. Each failure is a `WorkflowValidationError` naming the offending ids;
 * a cycle is reported with its path (`a → b → c → a`).
 */
import { MAX_ID_LENGTH } from '../defaults.js';
import { WorkflowValidationError, describeValue } from '../errors.js';
import { validateRetryPolicy } from '../engine/retryPolicy.js';
import type { TaskDefinition } from './types.js';
import { MAX_DURATION_MS } from '../defaults.js';

export function validateTaskDefinition(workflowId: string, task: TaskDefinition): void {
  if (typeof task.id !== 'string' || task.id.length === 0) {
    throw new WorkflowValidationError('INVALID_TASK_ID', `Task id must be a non-empty string, got ${describeValue(task.id)}.`, [String(task.id)], workflowId);
  }
  validateIdLength('Task', task.id, workflowId);
  if (typeof task.fn !== 'function') {
    throw new WorkflowValidationError(
      'TASK_NOT_A_FUNCTION',
      `Task ${JSON.stringify(task.id)} must be a function (input, ctx) => output, got ${describeValue(task.fn)}.`,
      [task.id],
      workflowId,
    );
  }
  if (task.timeoutMs !== null && !(Number.isFinite(task.timeoutMs) && task.timeoutMs > 0 && task.timeoutMs <= MAX_DURATION_MS)) {
    throw new WorkflowValidationError(
      'INVALID_TIMEOUT',
      `Task ${JSON.stringify(task.id)} has timeoutMs ${describeValue(task.timeoutMs)}: expected a positive number of milliseconds, at most ${MAX_DURATION_MS} (100 years).`,
      [task.id],
      workflowId,
    );
  }
  if (task.queue !== null && !(typeof task.queue === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(task.queue))) {
    throw new WorkflowValidationError(
      'INVALID_QUEUE',
      `Task ${JSON.stringify(task.id)} has queue ${describeValue(task.queue)}: expected 1 to 64 letters, digits, '-' or '_'.`,
      [task.id],
      workflowId,
    );
  }
  if (task.retry !== undefined) {
    const problem = validateRetryPolicy(task.retry);
    if (problem) {
      throw new WorkflowValidationError('INVALID_RETRY', `Task ${JSON.stringify(task.id)} has an invalid retry policy: ${problem}.`, [task.id], workflowId);
    }
  }
}

/**
 * Refuses an id longer than {@link MAX_ID_LENGTH} characters, counted as MySQL counts them: code
 * points, so an emoji (two UTF-16 units) is one character.
 */
export function validateIdLength(kind: 'Workflow' | 'Task', id: string, workflowId: string): void {
  if (id.length <= MAX_ID_LENGTH) return; // never more code points than UTF-16 units
  const length = [...id].length;
  if (length <= MAX_ID_LENGTH) return;
  const shown = `${JSON.stringify([...id].slice(0, 40).join('')).slice(0, -1)}…"`;
  throw new WorkflowValidationError(
    'ID_TOO_LONG',
    `${kind} id ${shown} is ${length} characters long: ids have at most ${MAX_ID_LENGTH} characters, on every store. Use a shorter id.`,
    kind === 'Task' ? [id] : [],
    workflowId,
  );
}

/** Returns the topological order, or throws naming a cycle's path. */
export function topologicalOrder(workflowId: string, ids: readonly string[], downstream: ReadonlyMap<string, readonly string[]>): string[] {
  const inDegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const targets of downstream.values()) for (const target of targets) inDegree.set(target, (inDegree.get(target) ?? 0) + 1);
  const queue = ids.filter((id) => inDegree.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    order.push(id);
    for (const next of downstream.get(id) ?? []) {
      const remaining = inDegree.get(next)! - 1;
      inDegree.set(next, remaining);
      if (remaining === 0) queue.push(next);
    }
  }
  if (order.length === ids.length) return order;
  const cycle = findCycle(ids.filter((id) => inDegree.get(id)! > 0), downstream);
  throw new WorkflowValidationError(
    'CYCLE',
    `Workflow ${JSON.stringify(workflowId)} has a cycle: ${cycle.map((id) => JSON.stringify(id)).join(' → ')}. A workflow must be a DAG.`,
    cycle,
    workflowId,
  );
}

/**
 * Every task Kahn's algorithm left behind has an upstream that was left behind too (else its
 * in-degree would have reached zero). So walking upstream inside that set never stops, and the
 * first task seen twice closes a cycle. The path is returned in dependency order, closed on itself.
 */
function findCycle(leftBehind: readonly string[], downstream: ReadonlyMap<string, readonly string[]>): string[] {
  const left = new Set(leftBehind);
  const upstreamOf = new Map<string, string>();
  for (const [from, targets] of downstream) {
    if (!left.has(from)) continue;
    for (const to of targets) if (left.has(to) && !upstreamOf.has(to)) upstreamOf.set(to, from);
  }
  const walked: string[] = [];
  const position = new Map<string, number>();
  let current = leftBehind[0]!;
  while (!position.has(current)) {
    position.set(current, walked.length);
    walked.push(current);
    current = upstreamOf.get(current)!;
  }
  const cycle = walked.slice(position.get(current)).reverse();
  return [...cycle, cycle[0]!];
}
