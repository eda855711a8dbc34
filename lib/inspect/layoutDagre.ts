/**
 * A layered layout of an execution's DAG by dagre (@dagrejs/dagre, the maintained fork): ranks
 * left to right, node order within a rank chosen to reduce edge crossings, edges routed as
 * polylines around the nodes. Every node has the same height; its width grows with its label,
 * up to a cap (longer labels are cut by the renderer, which keeps the whole id in a tooltip).
 * dagre keeps nodes as object keys, so tasks enter it as `n<index>`: a task named `__proto__`
 * or `constructor` would otherwise break it.
 */
import dagre from '@dagrejs/dagre';

export interface DagreNode {
  id: string;
  /** Top-left corner and size, in the layout's units (pixels). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DagreEdge {
  from: string;
  to: string;
  /** The polyline from the source's border to the target's border. */
  points: { x: number; y: number }[];
}

export interface DagreLayout {
  width: number;
  height: number;
  nodes: DagreNode[];
  edges: DagreEdge[];
}

export const NODE_HEIGHT = 40;
const MIN_WIDTH = 80;
const MAX_WIDTH = 220;
const CHAR_WIDTH = 7.5;

/**
 * Lays out `taskIds` (in the order given, which breaks ties) and the edges between them; an edge
 * naming an unknown task is left out. Nodes are sized by their label unless `options` fix a size.
 * @example
 * const layout = layoutDagre(['a', 'b'], [{ from: 'a', to: 'b' }]);
 * layout.nodes[1].x > layout.nodes[0].x; // true: b is right of a
 */
export function layoutDagre(
  taskIds: readonly string[],
  edges: readonly { from: string; to: string }[],
  options: { nodeWidth?: number; nodeHeight?: number } = {},
): DagreLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 56, edgesep: 8, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const keys = new Map<string, string>();
  for (const id of taskIds) {
    if (keys.has(id)) continue;
    const key = `n${keys.size}`;
    keys.set(id, key);
    const width = options.nodeWidth ?? Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, 24 + [...id].length * CHAR_WIDTH));
    graph.setNode(key, { width, height: options.nodeHeight ?? NODE_HEIGHT });
  }
  const kept = edges.filter((edge) => keys.has(edge.from) && keys.has(edge.to) && edge.from !== edge.to);
  for (const edge of kept) graph.setEdge(keys.get(edge.from)!, keys.get(edge.to)!);
  dagre.layout(graph);
  const size = graph.graph();
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: [...keys].map(([id, key]) => {
      const node = graph.node(key);
      return { id, x: round(node.x - node.width / 2), y: round(node.y - node.height / 2), width: node.width, height: node.height };
    }),
    edges: kept.map((edge) => {
      const routed = graph.edge(keys.get(edge.from)!, keys.get(edge.to)!) as { points?: { x: number; y: number }[] } | undefined;
      return { from: edge.from, to: edge.to, points: (routed?.points ?? []).map((point) => ({ x: round(point.x), y: round(point.y) })) };
    }),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
