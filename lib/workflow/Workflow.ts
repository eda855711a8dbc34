/**
 * A built, validated, immutable workflow: tasks and the dependency edges between them, with the
 * adjacency precomputed for the scheduler.
 */
import { createHash } from 'node:crypto';
import type { WorkflowGraph } from '../store/records.js';
import type { TaskDefinition } from './types.js';

export interface Workflow {
  /** The name given to `createWorkflow`. */
  readonly id: string;
  readonly description: string;
  /**
   * The version recorded with each execution: the one given to `createWorkflow(id, { version })`,
   * else `definitionHash`.
   */
  readonly version: string;
  /** A content hash of the graph: task ids, names, options and edges (not the functions' code). */
  readonly definitionHash: string;
  /** Tasks in the order they were added. */
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  /** Direct upstream task ids of each task, in the order the dependencies were added. */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  /** Direct downstream task ids of each task. */
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** Every task after all of its upstreams. */
  readonly topologicalOrder: readonly string[];
  /** The shape recorded with each execution (task ids and names, edges). */
  readonly graph: WorkflowGraph;
}

/** The hash of a graph: equal graphs give equal hashes, whatever the functions' code. */
export function computeDefinitionHash(id: string, tasks: Iterable<TaskDefinition>, edges: readonly (readonly [string, string])[]): string {
  const shape = {
    id,
    tasks: [...tasks].map((task) => ({ id: task.id, name: task.name, retry: task.retry ?? null, timeoutMs: task.timeoutMs, ...(task.queue === null ? {} : { queue: task.queue }) })),
    edges,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}
