/**
 * The DAG of the HTML report as inline SVG, laid out in TypeScript (no script runs in the page):
 * by dagre (layoutDagre.ts: ranks left to right, crossings reduced, edges routed around nodes) up
 * to `DAGRE_MAX_TASKS` tasks, in columns by topological depth beyond (layoutDag.ts, linear time;
 * dagre takes seconds on 10,000 tasks). One `<g class="dag-node state-<status>">` per task with a
 * rectangle filled with the state's colour (its text clipped to the box, the full id in a
 * tooltip); edges dashed when recovered from a skip reason.
 */
import type { InspectionData } from '../inspectionData.js';
import { layoutDag } from '../layoutDag.js';
import { layoutDagre } from '../layoutDagre.js';
import { colorOf } from '../taskStateColors.js';
import { escapeHtml, num, truncate } from './escapeHtml.js';

const NODE_WIDTH = 180;
const NODE_HEIGHT = 48;
const COLUMN_GAP = 70;
const ROW_GAP = 16;
const MARGIN = 16;

/** Above this many tasks the report lays the graph out in columns (dagre would take seconds). */
export const DAGRE_MAX_TASKS = 2_000;

export function renderDagSvg(data: InspectionData): string {
  return data.tasks.length <= DAGRE_MAX_TASKS ? renderDagre(data) : renderColumns(data);
}

function renderDagre(data: InspectionData): string {
  const layout = layoutDagre(data.tasks.map((task) => task.taskId), data.edges, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT });
  const inferred = new Set(data.edges.filter((edge) => edge.inferred).map((edge) => JSON.stringify([edge.from, edge.to])));
  const edges = layout.edges.map((edge) => {
    const d = edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${num(point.x)},${num(point.y)}`).join(' ');
    const dashed = inferred.has(JSON.stringify([edge.from, edge.to]));
    return `<path class="dag-edge${dashed ? ' inferred' : ''}" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" d="${d}" marker-end="url(#arrow)"/>`;
  });
  const at = new Map(layout.nodes.map((node) => [node.id, node]));
  const nodes = data.tasks.flatMap((task) => {
    const node = at.get(task.taskId);
    return node ? [renderNode(task, node.x, node.y)] : [];
  });
  return wrap(layout.width, layout.height, edges, nodes);
}

function renderColumns(data: InspectionData): string {
  const ids = data.tasks.map((task) => task.taskId);
  const { columns, position } = layoutDag(ids, data.edges);
  const rows = Math.max(1, ...columns.map((column) => column.length));
  const width = MARGIN * 2 + columns.length * NODE_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP;
  const height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP;
  const x = (column: number): number => MARGIN + column * (NODE_WIDTH + COLUMN_GAP);
  const y = (row: number): number => MARGIN + row * (NODE_HEIGHT + ROW_GAP);

  const edges: string[] = [];
  for (const edge of data.edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (!from || !to) continue;
    const x1 = x(from.column) + NODE_WIDTH;
    const y1 = y(from.row) + NODE_HEIGHT / 2;
    const x2 = x(to.column) - 6;
    const y2 = y(to.row) + NODE_HEIGHT / 2;
    const bend = Math.max(20, (x2 - x1) / 2);
    edges.push(
      `<path class="dag-edge${edge.inferred ? ' inferred' : ''}" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" ` +
        `d="M${num(x1)},${num(y1)} C${num(x1 + bend)},${num(y1)} ${num(x2 - bend)},${num(y2)} ${num(x2)},${num(y2)}" marker-end="url(#arrow)"/>`,
    );
  }

  const nodes: string[] = [];
  for (const task of data.tasks) {
    const at = position.get(task.taskId);
    if (at) nodes.push(renderNode(task, x(at.column), y(at.row)));
  }
  return wrap(width, height, edges, nodes);
}

function renderNode(task: InspectionData['tasks'][number], x: number, y: number): string {
  const color = colorOf(task.status);
  const attempts = task.attempt === 1 ? '1 attempt' : `${task.attempt} attempts`;
  const tooltip = `${task.taskId}\n${task.status} · ${attempts}${task.error ? `\n${task.error.name}: ${task.error.message}` : ''}`;
  return (
    `<g class="dag-node state-${escapeHtml(task.status)}" data-task-id="${escapeHtml(task.taskId)}" data-status="${escapeHtml(task.status)}" ` +
    `transform="translate(${num(x)},${num(y)})">` +
    `<title>${escapeHtml(tooltip)}</title>` +
    `<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8" fill="${color.fill}" stroke="${color.stroke}" stroke-width="1.5"/>` +
    `<g clip-path="url(#node-clip)"><text x="10" y="20" fill="${color.text}" class="dag-label">${escapeHtml(truncate(task.taskId, 22))}</text>` +
    `<text x="10" y="38" fill="${color.text}" class="dag-sub">${escapeHtml(task.status)} · ${attempts}</text></g>` +
    `</g>`
  );
}

function wrap(width: number, height: number, edges: string[], nodes: string[]): string {
  return (
    `<svg class="dag" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Task graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker>` +
    `<clipPath id="node-clip"><rect x="4" y="0" width="${NODE_WIDTH - 10}" height="${NODE_HEIGHT}"/></clipPath></defs>` +
    `<g class="dag-edges">${edges.join('')}</g><g class="dag-nodes">${nodes.join('')}</g></svg>`
  );
}
