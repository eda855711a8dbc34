/**
 * What an engine and a remote worker exchange through BullMQ: one job per attempt of a task whose
 * `queue` is set. Shared by the engine's dispatcher and `createWorker`.
 *
 * - Queue name: `tg-<queue>` (BullMQ refuses ':' in names).
 * - Job id: deterministic per (execution, task, attempt), so an attempt dispatched again (by the
 *   engine that took the execution over) finds the job already there: BullMQ ignores an `add` with
 *   an id it holds, and the engine waits for that job's result instead of running the task twice.
 *   It is a hash, since ids may hold any character and BullMQ refuses ':'.
 * - Result: the job always completes with a {@link RemoteResult} (a task's failure included), so
 *   the engine rebuilds the error with its name and decides retries itself; BullMQ's own retries
 *   are off (one attempt per job).
 */
import { createHash } from 'node:crypto';
import type { SerializedError } from '../errors.js';

/** The data of one job. */
export interface RemoteJobData {
  executionId: string;
  workflowId: string;
  workflowVersion: string;
  taskId: string;
  attempt: number;
  idempotencyKey: string;
  input: unknown;
  upstream: Record<string, unknown>;
  /**
   * The engine's attempt span context (`traceparent`, and what the host's propagator adds), so that
   * the worker's span is its child (jobTraceContext.ts). Absent when the attempt is not traced.
   */
  traceContext?: Record<string, string>;
}

/** What the worker's processor returns. */
export type RemoteResult = { ok: true; output: unknown; pid: number } | { ok: false; error: SerializedError; pid: number };

export function queueName(queue: string): string {
  return `tg-${queue}`;
}

/**
 * The Redis channel on which engines ask the workers of a queue to abort a job in flight
 * (message: {@link RemoteCancel} as JSON).
 */
export function cancelChannel(queue: string): string {
  return `bull:${queueName(queue)}:tg-cancel`;
}

export interface RemoteCancel {
  jobId: string;
  reason: string;
}

export function remoteJobId(executionId: string, taskId: string, attempt: number): string {
  return `tg-${createHash('sha256').update(JSON.stringify([executionId, taskId, attempt])).digest('hex').slice(0, 40)}`;
}

/** BullMQ is an optional peer dependency: load it, or say how to get it. */
export async function loadBullmq(feature: string): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (error) {
    throw new Error(`${feature} needs the optional peer dependency 'bullmq': npm install bullmq`, { cause: error });
  }
}
