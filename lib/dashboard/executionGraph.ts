/**
 * The DAG of an execution as the dashboard draws it: every task with its name and box, every
 * edge with its route. Laid out by dagre (lib/inspect/layoutDagre.ts) up to
 * `DAGRE_MAX_TASKS` tasks; beyond that dagre takes seconds (10,000 tasks: 8.7 s, measured), so a
 * larger graph is laid out in columns by depth (lib/inspect/layoutDag.ts, linear time) with
 * straight edges, and `layout` says which. A graph never changes once recorded, so layouts are
 * cached per execution (the most recent `CACHE_SIZE`); only the edges recovered from skip reasons
 * (an execution recorded without its graph) grow while it runs, so those are cached once it ended.
 */
import type { InspectEdge } from '../inspect/inspectionData.js';
import { edgesFromSkipReasons } from '../inspect/inspectionData.js';
import { layoutDag } from '../inspect/layoutDag.js';
import { layoutDagre, NODE_HEIGHT } from '../inspect/layoutDagre.js';
import { isTerminalExecutionStatus } from '../store/records.js';
import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';
import type { Workflow } from '../workflow/Workflow.js';
import { GROUP_HEADER, graphGroups } from './graphGroups.js';
import type { GraphGroup } from './graphGroups.js';

export const DAGRE_MAX_TASKS = 2_000;
const CACHE_SIZE = 50;

export interface GraphNode {
  id: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
  /** Recovered from a skip reason (an execution recorded without its graph). */
  inferred: boolean;
}

export interface ExecutionGraph {
  layout: 'dagre' | 'columns';
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The columns the page can collapse (graphGroups.ts). */
  groups: GraphGroup[];
  /** What the reader should know, e.g. that the edges are partly unknown. */
  notes: string[];
}

const cache = new Map<string, Promise<ExecutionGraph>>();

/** The laid-out graph of `record` (cached by store location and execution id). */
export function executionGraph(store: Store, record: ExecutionRecord, workflow: Workflow | undefined): Promise<ExecutionGraph> {
  // edges read from skip reasons grow while such an execution runs: not cached until it ends
  if (!record.graph && !workflow && !isTerminalExecutionStatus(record.status)) return buildGraph(store, record, workflow);
  const key = JSON.stringify([store.location, record.id, record.workflowVersion]);
  let graph = cache.get(key);
  if (!graph) {
    graph = buildGraph(store, record, workflow);
    graph.catch(() => cache.delete(key));
    cache.set(key, graph);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return graph;
}

async function buildGraph(store: Store, record: ExecutionRecord, workflow: Workflow | undefined): Promise<ExecutionGraph> {
  return withGroups(await layOut(store, record, workflow));
}

/** The graph with its collapsible columns, moved down to make room for their handles when it has some. */
function withGroups(graph: Omit<ExecutionGraph, 'groups'>): ExecutionGraph {
  const groups = graphGroups(graph.nodes);
  if (groups.length === 0) return { ...graph, groups };
  const down = <T extends { y: number }>(item: T): T => ({ ...item, y: item.y + GROUP_HEADER });
  return {
    ...graph,
    height: graph.height + GROUP_HEADER,
    nodes: graph.nodes.map(down),
    edges: graph.edges.map((edge) => ({ ...edge, points: edge.points.map(down) })),
    groups: groups.map(down),
  };
}

async function layOut(store: Store, record: ExecutionRecord, workflow: Workflow | undefined): Promise<Omit<ExecutionGraph, 'groups'>> {
  const notes: string[] = [];
  let tasks: { id: string; name: string }[];
  let edges: InspectEdge[];
  if (record.graph) {
    tasks = record.graph.tasks;
    edges = record.graph.edges.map(([from, to]) => ({ from, to, inferred: false }));
  } else if (workflow) {
    tasks = workflow.topologicalOrder.map((id) => ({ id, name: workflow.tasks.get(id)?.name ?? id }));
    edges = [...workflow.upstream].flatMap(([to, ups]) => [...ups].map((from) => ({ from, to, inferred: false })));
  } else {
    const [rows, transitions] = await Promise.all([store.listTaskRuns(record.id), store.listTransitions(record.id)]);
    tasks = rows.map((row) => ({ id: row.taskId, name: row.taskId }));
    edges = edgesFromSkipReasons(transitions, new Set(tasks.map((task) => task.id)));
    notes.push('This execution was recorded without its graph: only the edges proven by skip reasons are drawn (dashed).');
  }
  const ids = tasks.map((task) => task.id);
  const names = new Map(tasks.map((task) => [task.id, task.name]));
  const inferred = new Set(edges.filter((edge) => edge.inferred).map((edge) => JSON.stringify([edge.from, edge.to])));
  if (ids.length <= DAGRE_MAX_TASKS) {
    const layout = layoutDagre(ids, edges);
    return {
      layout: 'dagre',
      width: layout.width,
      height: layout.height,
      nodes: layout.nodes.map((node) => ({ ...node, name: names.get(node.id) ?? node.id })),
      edges: layout.edges.map((edge) => ({ ...edge, inferred: inferred.has(JSON.stringify([edge.from, edge.to])) })),
      notes,
    };
  }
  notes.push(`${ids.length} tasks: laid out in columns by depth (dagre is used up to ${DAGRE_MAX_TASKS}).`);
  return columnGraph(ids, names, edges, notes);
}

const COLUMN_WIDTH = 200;
const COLUMN_GAP = 60;
const ROW_GAP = 10;
const MARGIN = 16;

function columnGraph(ids: string[], names: Map<string, string>, edges: InspectEdge[], notes: string[]): Omit<ExecutionGraph, 'groups'> {
  const { columns, position } = layoutDag(ids, edges);
  const x = (column: number): number => MARGIN + column * (COLUMN_WIDTH + COLUMN_GAP);
  const y = (row: number): number => MARGIN + row * (NODE_HEIGHT + ROW_GAP);
  const rows = Math.max(1, ...columns.map((column) => column.length));
  const nodes = ids.map((id) => {
    const at = position.get(id)!;
    return { id, name: names.get(id) ?? id, x: x(at.column), y: y(at.row), width: COLUMN_WIDTH, height: NODE_HEIGHT };
  });
  const routed: GraphEdge[] = [];
  for (const edge of edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (!from || !to) continue;
    const points = [
      { x: x(from.column) + COLUMN_WIDTH, y: y(from.row) + NODE_HEIGHT / 2 },
      { x: x(to.column), y: y(to.row) + NODE_HEIGHT / 2 },
    ];
    routed.push({ from: edge.from, to: edge.to, points, inferred: edge.inferred });
  }
  return {
    layout: 'columns',
    width: MARGIN * 2 + columns.length * COLUMN_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP,
    height: MARGIN * 2 + rows * (NODE_HEIGHT + ROW_GAP),
    nodes,
    edges: routed,
    notes,
  };
}
