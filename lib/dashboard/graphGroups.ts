/**
 * The groups of a laid-out graph that the dashboard can collapse: its columns. Both layouts run
 * left to right (dagre's ranks, or the depth columns of a large graph), so the tasks at one
 * horizontal position form a column, and every edge enters a column from the left and leaves it
 * to the right. A column of at least `GROUP_MIN_TASKS` tasks is a group; the page draws a handle
 * above it, collapses it into one box that counts its tasks per state (as the replay step or the
 * live run shows them), and draws the edges of its tasks to and from that box.
 *
 * Columns are found by the centre of each node's box (dagre centres a rank's nodes on one line;
 * the columns layout gives them one x). Room for the handles is made above the graph: nodes and
 * edge points move down by `GROUP_HEADER`.
 */
export const GROUP_MIN_TASKS = 10;
export const GROUP_HEADER = 24;

export interface GraphGroup {
  /** `column-<n>`, n counting the layout's columns from 0 on the left (columns of any size). */
  id: string;
  /** The column's index, from 0 on the left. */
  column: number;
  /** Its tasks, top to bottom. */
  taskIds: string[];
  /** The box around its tasks (below the handle's row). */
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The columns of `nodes` holding at least `GROUP_MIN_TASKS` tasks, left to right. */
export function graphGroups(nodes: readonly Box[]): GraphGroup[] {
  const columns = new Map<number, Box[]>();
  for (const node of nodes) {
    const centre = Math.round(node.x + node.width / 2);
    const column = columns.get(centre);
    if (column) column.push(node);
    else columns.set(centre, [node]);
  }
  const ordered = [...columns].sort(([a], [b]) => a - b).map(([, members]) => members);
  const groups: GraphGroup[] = [];
  ordered.forEach((members, column) => {
    if (members.length < GROUP_MIN_TASKS) return;
    members.sort((a, b) => a.y - b.y);
    let left = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    for (const node of members) {
      left = Math.min(left, node.x);
      right = Math.max(right, node.x + node.width);
      bottom = Math.max(bottom, node.y + node.height);
    }
    const top = members[0]!.y;
    groups.push({ id: `column-${column}`, column, taskIds: members.map((node) => node.id), x: left, y: top, width: right - left, height: bottom - top });
  });
  return groups;
}
