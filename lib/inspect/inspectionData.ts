/**
 * Everything an inspection renders, read from the store in one place: the execution row, its
 * task rows in display order, the DAG's edges, the transition log, the spans and the logs.
 *
 * Edges, in order of preference: the `workflow` the caller passes; the graph recorded with the
 * execution (`execution.graph`); for rows recorded before executions kept their graph, the only
 * edges the log proves: those of skipped tasks, whose reason names the upstream task that blocked
 * them (`upstream task "b" did not succeed`). Those come with `inferred: true` and a note; the
 * rest of such a graph is unknown.
 *
 * Display order: the workflow's topological order; otherwise by depth in the known edges, then
 * by when each task first moved, then by id (stores list task rows in different orders).
 */
import { ExecutionNotFoundError } from '../errors.js';
import type { ExecutionRecord, LogRecord, SpanRecord, TaskRunRecord, TransitionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';
import type { Workflow } from '../workflow/Workflow.js';
import { dagDepths } from './layoutDag.js';

export interface InspectEdge {
  from: string;
  to: string;
  /** True for an edge recovered from a skip reason rather than read from the workflow. */
  inferred: boolean;
}

export interface InspectionData {
  execution: ExecutionRecord;
  /** Task rows in display order. */
  tasks: TaskRunRecord[];
  edges: InspectEdge[];
  transitions: TransitionRecord[];
  spans: SpanRecord[];
  /** The execution's log records (its tasks' and the engine's about it), in insertion order. */
  logs: LogRecord[];
  /** What the reader should know about the data: where the edges come from, mismatches. */
  notes: string[];
}

/** With `snapshots: false` the transitions come without their snapshots (only the JSON output shows them). */
export async function loadInspectionData(store: Store, executionId: string, workflow?: Workflow, { snapshots = true } = {}): Promise<InspectionData> {
  const execution = await store.getExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError(executionId);
  const [rows, transitions, spans, logs] = await Promise.all([
    store.listTaskRuns(executionId),
    store.listTransitions(executionId, 0, { snapshots }),
    store.listSpans(executionId),
    store.listLogs(executionId),
  ]);
  transitions.sort((a, b) => a.seq - b.seq);
  const notes: string[] = [];
  const taskIds = new Set(rows.map((row) => row.taskId));
  let edges: InspectEdge[];
  if (workflow) {
    edges = [];
    for (const [to, ups] of workflow.upstream) {
      for (const from of ups) if (taskIds.has(from) && taskIds.has(to)) edges.push({ from, to, inferred: false });
    }
    if (workflow.id !== execution.workflowId || workflow.version !== execution.workflowVersion) {
      notes.push(
        `The workflow given (${workflow.id}@${workflow.version}) is not the one this execution ran ` +
          `(${execution.workflowId}@${execution.workflowVersion}): its edges may not match.`,
      );
    }
  } else if (execution.graph) {
    edges = execution.graph.edges.filter(([from, to]) => taskIds.has(from) && taskIds.has(to)).map(([from, to]) => ({ from, to, inferred: false }));
  } else {
    edges = edgesFromSkipReasons(transitions, taskIds);
    notes.push(
      'This execution was recorded without its graph. ' +
        (edges.length > 0
          ? `${edges.length} edge(s) were recovered from skip reasons (dashed); others may be missing.`
          : 'No edge could be recovered from the log: tasks are shown without edges.') +
        ' Pass the workflow to see the whole graph.',
    );
  }
  return { execution, tasks: orderTasks(rows, edges, transitions, workflow), edges, transitions, spans, logs, notes };
}

const SKIP_REASON = /^upstream task ("(?:[^"\\]|\\.)*") did not succeed$/;

/** Edges proven by the log: each skipped task names the upstream task that blocked it. */
export function edgesFromSkipReasons(transitions: readonly TransitionRecord[], taskIds: ReadonlySet<string>): InspectEdge[] {
  const edges: InspectEdge[] = [];
  const seen = new Set<string>();
  for (const transition of transitions) {
    if (transition.taskId === null || transition.to !== 'skipped') continue;
    const event = transition.data?.event as { reason?: unknown } | undefined;
    const reason = typeof event?.reason === 'string' ? event.reason : transition.data?.reason;
    const match = reason === undefined ? null : SKIP_REASON.exec(reason);
    if (!match) continue;
    let from: unknown;
    try {
      from = JSON.parse(match[1]!);
    } catch {
      continue;
    }
    const key = JSON.stringify([from, transition.taskId]);
    if (typeof from !== 'string' || !taskIds.has(from) || seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to: transition.taskId, inferred: true });
  }
  return edges;
}

function orderTasks(rows: TaskRunRecord[], edges: readonly InspectEdge[], transitions: readonly TransitionRecord[], workflow?: Workflow): TaskRunRecord[] {
  if (workflow) {
    const rank = new Map(workflow.topologicalOrder.map((id, index) => [id, index]));
    return [...rows].sort((a, b) => (rank.get(a.taskId) ?? Infinity) - (rank.get(b.taskId) ?? Infinity) || compareIds(a.taskId, b.taskId));
  }
  const depth = dagDepths(rows.map((row) => row.taskId), edges);
  const firstSeq = new Map<string, number>();
  for (const transition of transitions) {
    if (transition.taskId !== null && !firstSeq.has(transition.taskId)) firstSeq.set(transition.taskId, transition.seq);
  }
  return [...rows].sort(
    (a, b) =>
      (depth.get(a.taskId) ?? 0) - (depth.get(b.taskId) ?? 0) ||
      (firstSeq.get(a.taskId) ?? Infinity) - (firstSeq.get(b.taskId) ?? Infinity) ||
      compareIds(a.taskId, b.taskId),
  );
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
