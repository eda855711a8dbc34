/**
 * The dashboard's layered layout (dagre): every edge runs left to right, no two nodes overlap, a
 * 51-task fan (examples/workflows.ts's shape) has no crossing, and ids that are object keys of
 * JavaScript itself (`__proto__`, `constructor`) or hostile text are laid out like any other.
 */
import { expect } from 'chai';
import { DAGRE_MAX_TASKS, renderDagSvg } from '../lib/inspect/html/renderDagSvg.js';
import type { InspectionData } from '../lib/inspect/inspectionData.js';
import { layoutDagre } from '../lib/inspect/layoutDagre.js';
import { execution, taskRun } from './support/records.js';
import type { DagreLayout, DagreNode } from '../lib/inspect/layoutDagre.js';
import { HOSTILE_ID } from './support/inspectScenarios.js';

function overlap(a: DagreNode, b: DagreNode): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

type Point = { x: number; y: number };

/** Whether segments ab and cd cross at a point inside both (touching ends do not count). */
function cross(a: Point, b: Point, c: Point, d: Point): boolean {
  const side = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;
}

/** Pairs of edges (not sharing a task) whose polylines cross. */
function crossings(layout: DagreLayout): number {
  let count = 0;
  for (let i = 0; i < layout.edges.length; i++) {
    for (let j = i + 1; j < layout.edges.length; j++) {
      const e = layout.edges[i]!;
      const f = layout.edges[j]!;
      if (e.from === f.from || e.to === f.to || e.to === f.from || e.from === f.to) continue;
      const hit = e.points.slice(1).some((end, k) => f.points.slice(1).some((other, m) => cross(e.points[k]!, end, f.points[m]!, other)));
      if (hit) count += 1;
    }
  }
  return count;
}

function expectReadable(layout: DagreLayout): void {
  const byId = new Map(layout.nodes.map((node) => [node.id, node]));
  for (const edge of layout.edges) {
    expect(byId.get(edge.to)!.x, `${edge.from} → ${edge.to}`).to.be.greaterThan(byId.get(edge.from)!.x + byId.get(edge.from)!.width - 1);
    expect(edge.points.length).to.be.greaterThan(1);
  }
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) expect(overlap(layout.nodes[i]!, layout.nodes[j]!), `${layout.nodes[i]!.id} / ${layout.nodes[j]!.id}`).to.equal(false);
  }
  for (const node of layout.nodes) {
    expect(node.x + node.width).to.be.at.most(layout.width);
    expect(node.y + node.height).to.be.at.most(layout.height);
  }
}

describe('layoutDagre', () => {
  it('lays out a 51-task fan in three ranks, the fan in one column', () => {
    const fan = Array.from({ length: 51 }, (_, i) => `item-${i}`);
    const ids = ['split', ...fan, 'merge'];
    const edges = fan.flatMap((id) => [
      { from: 'split', to: id },
      { from: id, to: 'merge' },
    ]);
    const layout = layoutDagre(ids, edges);
    expectReadable(layout);
    expect(new Set(layout.nodes.filter((node) => fan.includes(node.id)).map((node) => node.x)).size).to.equal(1);
    expect(layout.nodes.map((node) => node.id)).to.deep.equal(ids);
  });

  it("lays out examples/workflows.ts's 51-task nightly-etl without crossing edges", () => {
    const ids = ['plan'];
    const edges: { from: string; to: string }[] = [];
    for (let p = 0; p < 24; p++) {
      ids.push(`extract-${p}`, `transform-${p}`);
      edges.push({ from: 'plan', to: `extract-${p}` }, { from: `extract-${p}`, to: `transform-${p}` });
    }
    ids.push('load', 'report');
    for (let p = 0; p < 24; p++) edges.push({ from: `transform-${p}`, to: 'load' });
    edges.push({ from: 'load', to: 'report' });
    const layout = layoutDagre(ids, edges, { nodeWidth: 180, nodeHeight: 48 });
    expectReadable(layout);
    expect(crossings(layout)).to.equal(0);
    // the counter counts: an X crosses, a shared end does not
    expect(cross({ x: 0, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 2 }, { x: 2, y: 0 })).to.equal(true);
    expect(cross({ x: 0, y: 0 }, { x: 2, y: 2 }, { x: 2, y: 2 }, { x: 4, y: 0 })).to.equal(false);
  });

  it('lays out ids that are JavaScript object keys or hostile text', () => {
    const ids = ['__proto__', 'constructor', HOSTILE_ID, 'toString'];
    const layout = layoutDagre(ids, [
      { from: '__proto__', to: 'constructor' },
      { from: 'constructor', to: HOSTILE_ID },
      { from: '__proto__', to: 'toString' },
      { from: 'toString', to: 'not-a-task' },
    ]);
    expectReadable(layout);
    expect(layout.nodes.map((node) => node.id)).to.deep.equal(ids);
    expect(layout.edges.map((edge) => [edge.from, edge.to])).to.deep.equal([
      ['__proto__', 'constructor'],
      ['constructor', HOSTILE_ID],
      ['__proto__', 'toString'],
    ]);
  });

  it("draws the HTML report's DAG with dagre, and in columns above the limit", () => {
    const data = (count: number): InspectionData => {
      const ids = Array.from({ length: count }, (_, i) => `t${i}`);
      return {
        execution: execution('e1'),
        tasks: ids.map((id) => taskRun('e1', id, { status: 'succeeded', attempt: 1 })),
        edges: ids.slice(1).map((id, i) => ({ from: ids[Math.floor(i / 3)]!, to: id, inferred: i === 0 })),
        transitions: [],
        spans: [],
        logs: [],
        notes: [],
      };
    };
    for (const count of [52, DAGRE_MAX_TASKS + 1]) {
      const svg = renderDagSvg(data(count));
      expect(svg.match(/<g class="dag-node /g), `${count} tasks`).to.have.length(count);
      expect(svg.match(/<path class="dag-edge/g), `${count} tasks`).to.have.length(count - 1);
      expect(svg.match(/<path class="dag-edge inferred"/g), `${count} tasks`).to.have.length(1);
      // dagre routes edges as polylines (M … L …); the column layout draws curves (C)
      expect(/<path class="dag-edge"[^>]* d="M[^"]* C/.test(svg), `${count} tasks`).to.equal(count > DAGRE_MAX_TASKS);
    }
  });
});
