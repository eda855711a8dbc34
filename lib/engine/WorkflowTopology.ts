/**
 * A workflow's graph as arrays of task indices, built once per workflow (cached) and shared by
 * all its executions: the scheduler's in-degrees and ready queue work on numbers in typed arrays
 * instead of maps keyed by task id. For a 1,000,000-task lattice that is a few megabytes of
 * arrays instead of millions of map entries the garbage collector walks on every collection.
 *
 * Tasks are numbered in topological order; the downstream lists are in CSR form: the
 * downstream tasks of task i are `downstream[downstreamStart[i] .. downstreamStart[i + 1])`.
 */
import type { Workflow } from '../workflow/Workflow.js';

export interface WorkflowTopology {
  /** Task ids by index (topological order). */
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly downstreamStart: Int32Array;
  readonly downstream: Int32Array;
  /** How many upstream tasks each task has. */
  readonly inDegree: Int32Array;
}

const cache = new WeakMap<Workflow, WorkflowTopology>();

/** The topology of a built workflow (computed on first use, then cached). */
export function topologyOf(workflow: Workflow): WorkflowTopology {
  let topology = cache.get(workflow);
  if (!topology) cache.set(workflow, (topology = buildTopology(workflow)));
  return topology;
}

function buildTopology(workflow: Workflow): WorkflowTopology {
  const ids = workflow.topologicalOrder;
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => indexOf.set(id, i));
  const downstreamStart = new Int32Array(ids.length + 1);
  const inDegree = new Int32Array(ids.length);
  let edges = 0;
  ids.forEach((id, i) => {
    downstreamStart[i] = edges;
    edges += workflow.downstream.get(id)!.length;
    inDegree[i] = workflow.upstream.get(id)!.length;
  });
  downstreamStart[ids.length] = edges;
  const downstream = new Int32Array(edges);
  ids.forEach((id, i) => {
    let at = downstreamStart[i]!;
    for (const next of workflow.downstream.get(id)!) downstream[at++] = indexOf.get(next)!;
  });
  return { ids, indexOf, downstreamStart, downstream, inDegree };
}
