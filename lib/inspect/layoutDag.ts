/**
 * Layout of a DAG in columns by topological depth: a task's depth is the length of the longest
 * path reaching it (sources are at depth 0), so every edge points to a later column. Within a
 * column, tasks keep the order they are given in.
 */

/** Depth of each task; tasks on a cycle (never in a built workflow) keep the depth reached. */
export function dagDepths(taskIds: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const depth = new Map<string, number>(taskIds.map((id) => [id, 0]));
  const inDegree = new Map<string, number>(taskIds.map((id) => [id, 0]));
  const downstream = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!depth.has(from) || !depth.has(to)) continue;
    inDegree.set(to, (inDegree.get(to) ?? 0) + 1);
    const list = downstream.get(from);
    if (list) list.push(to);
    else downstream.set(from, [to]);
  }
  const queue = taskIds.filter((id) => inDegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const next of downstream.get(id) ?? []) {
      depth.set(next, Math.max(depth.get(next) ?? 0, (depth.get(id) ?? 0) + 1));
      const remaining = (inDegree.get(next) ?? 1) - 1;
      inDegree.set(next, remaining);
      if (remaining === 0) queue.push(next);
    }
  }
  return depth;
}

export interface DagLayout {
  /** Task ids of each column, left to right. */
  columns: string[][];
  /** Column and row of each task. */
  position: Map<string, { column: number; row: number }>;
}

export function layoutDag(taskIds: readonly string[], edges: readonly { from: string; to: string }[]): DagLayout {
  const depth = dagDepths(taskIds, edges);
  const columns: string[][] = [];
  const position = new Map<string, { column: number; row: number }>();
  for (const id of taskIds) {
    const column = depth.get(id) ?? 0;
    while (columns.length <= column) columns.push([]);
    const cells = columns[column]!;
    position.set(id, { column, row: cells.length });
    cells.push(id);
  }
  return { columns, position };
}
