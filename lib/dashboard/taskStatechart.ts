/**
 * The task statechart as the dashboard draws it beside a task: the task machine's states laid
 * out by dagre (top to bottom is not needed: a handful of states read well left to right), one
 * arrow per pair of states with the events that take it as its labels. The page highlights the
 * selected task's state at the replay step shown. Built once per process: the machine is code.
 */
import { taskMachine } from '../../machines/task.js';
import { layoutDagre } from '../inspect/layoutDagre.js';
import { buildStatechartModel } from '../inspect/statechartModel.js';

export interface StatechartDrawing {
  machine: string;
  width: number;
  height: number;
  /** States by key (`pending`, `running`, ...), which is what a task's status holds. */
  nodes: { id: string; x: number; y: number; width: number; height: number; final: boolean; initial: boolean }[];
  edges: { from: string; to: string; labels: string[]; points: { x: number; y: number }[] }[];
}

let drawing: StatechartDrawing | undefined;

export function taskStatechart(): StatechartDrawing {
  if (drawing) return drawing;
  const model = buildStatechartModel(taskMachine);
  const keyOf = new Map(model.states.map((state) => [state.id, state.key]));
  const labels = new Map<string, string[]>();
  for (const transition of model.transitions) {
    const from = transition.source === null ? undefined : keyOf.get(transition.source);
    for (const target of transition.targets) {
      const to = keyOf.get(target.replace(/^#/, ''));
      if (from === undefined || to === undefined) continue;
      const key = JSON.stringify([from, to]);
      labels.set(key, [...(labels.get(key) ?? []), transition.label]);
    }
  }
  const pairs = [...labels.keys()].map((key) => JSON.parse(key) as [string, string]);
  const layout = layoutDagre(model.states.map((state) => state.key), pairs.map(([from, to]) => ({ from, to })));
  const initial = model.initial === null ? null : (keyOf.get(model.initial.replace(/^#/, '')) ?? null);
  const finals = new Set(model.states.filter((state) => state.type === 'final').map((state) => state.key));
  drawing = {
    machine: model.id,
    width: layout.width,
    height: layout.height,
    nodes: layout.nodes.map((node) => ({ ...node, final: finals.has(node.id), initial: node.id === initial })),
    edges: layout.edges.map((edge) => ({ ...edge, labels: labels.get(JSON.stringify([edge.from, edge.to])) ?? [] })),
  };
  return drawing;
}
