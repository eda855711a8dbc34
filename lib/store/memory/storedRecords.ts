/**
 * Task rows and spans as the memory store keeps them: their times as epoch milliseconds, not
 * Dates (a Date is an object the garbage collector walks; a 100,000-task execution's rows and
 * spans held 400,000 of them). The records are built again, with new Dates, when read.
 */
import type { SpanRecord, TaskRunRecord } from '../records.js';

export interface StoredTaskRun {
  readonly status: TaskRunRecord['status'];
  readonly attempt: number;
  readonly output: unknown;
  readonly error: TaskRunRecord['error'];
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly nextRetryAt: number | null;
}

export function toStoredTaskRun(row: TaskRunRecord): StoredTaskRun {
  return {
    status: row.status,
    attempt: row.attempt,
    output: row.output,
    error: row.error,
    startedAt: time(row.startedAt),
    finishedAt: time(row.finishedAt),
    nextRetryAt: time(row.nextRetryAt),
  };
}

export function fromStoredTaskRun(executionId: string, taskId: string, row: StoredTaskRun): TaskRunRecord {
  return {
    executionId,
    taskId,
    status: row.status,
    attempt: row.attempt,
    output: row.output,
    error: row.error,
    startedAt: date(row.startedAt),
    finishedAt: date(row.finishedAt),
    nextRetryAt: date(row.nextRetryAt),
  };
}

export interface StoredSpan {
  readonly parentSpanId: string | null;
  readonly taskId: string | null;
  readonly attempt: number | null;
  readonly name: string;
  readonly status: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly attributes: Record<string, unknown>;
}

export function toStoredSpan(span: SpanRecord): StoredSpan {
  return {
    parentSpanId: span.parentSpanId,
    taskId: span.taskId,
    attempt: span.attempt,
    name: span.name,
    status: span.status,
    startedAt: span.startedAt.getTime(),
    finishedAt: span.finishedAt.getTime(),
    attributes: span.attributes,
  };
}

export function fromStoredSpan(executionId: string, spanId: string, span: StoredSpan): SpanRecord {
  return { spanId, executionId, ...span, startedAt: new Date(span.startedAt), finishedAt: new Date(span.finishedAt) };
}

function time(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

function date(time: number | null): Date | null {
  return time === null ? null : new Date(time);
}
