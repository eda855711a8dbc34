// The collapsible columns of the execution page's DAG (GET …/graph `groups`, made by
// lib/dashboard/graphGroups.ts). Each group has a handle above its column (▾). Collapsed, its tasks
// and their edges are out of the document (the browser neither styles nor lays them out: that is
// what makes a collapsed 10,000-task graph cheap; a column that starts collapsed has its boxes made
// only when it is first expanded), and one box stands for them (at the middle of a dagre column,
// which dagre centres; at the top of a column of the columns layout, which fills from the top): how
// many tasks it holds in each state, as the DAG shows them at the step shown (live or replayed),
// one line per state, under a bar of the state colours; its tasks' edges are drawn to and from
// that box, once per pair of ends. Clicking the box expands the column again.
import { svg } from './common.js';

const BOX_TOP = 38;
const LINE = 14;
/** A narrow column's box is widened to this, about its centre, so that "1234 succeeded" fits. */
const BOX_MIN_WIDTH = 112;
const STATE_ORDER = ['running', 'retrying', 'failed', 'cancelled', 'skipped', 'succeeded', 'pending'];

/**
 * Draws the groups of `graph` into `layers` (SVG groups `edges`, `groupEdges`, `nodes` and
 * `groups`), every group collapsed or none (`options.collapsed`; a box at the top of its column
 * with `options.boxAtTop`, else at its middle), draws the edges that show, and
 * returns the controls. `draw.nodeOf(taskId)` and `draw.lineOf(edge)` give a task's box and an
 * edge's polyline, made on first use (`draw.lineOf(edge, false)`: only one made before); the caller puts in `layers.nodes` the boxes of the tasks
 * that are not hidden (`isHidden`).
 */
export function createGroupView(graph, layers, draw, options = {}) {
  const groupOf = new Map();
  const views = new Map();
  const nodeById = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const group of graph.groups) {
    for (const taskId of group.taskIds) groupOf.set(taskId, group.id);
    const counts = new Map([['pending', group.taskIds.length]]);
    const handleLabel = svg('text', { class: 'group-handle-label', x: '0', y: '14' });
    const handle = svg('g', { class: 'group-handle', 'data-group-id': group.id, transform: `translate(${group.x},${group.y - 22})`, tabindex: '0', role: 'button' },
      svg('rect', { class: 'group-handle-hit', width: String(group.width), height: '20' }), handleLabel);
    const bar = svg('g', { class: 'group-bar' });
    const countsLabel = svg('text', { class: 'group-counts', y: String(BOX_TOP) });
    const title = svg('title', {});
    const width = Math.max(group.width, BOX_MIN_WIDTH);
    const left = group.x + group.width / 2 - width / 2;
    const frame = svg('rect', { class: 'group-box', width: String(width), rx: '6' });
    const box = svg('g', { class: 'dag-group', 'data-group-id': group.id, tabindex: '0', role: 'button' },
      title,
      frame,
      svg('text', { class: 'group-label', x: '8', y: '17' }, `${group.taskIds.length} tasks`),
      bar,
      countsLabel);
    const view = { group, counts, collapsed: Boolean(options.collapsed), dirty: true, handle, handleLabel, box, frame, bar, countsLabel, title, left, width, top: group.y, height: BOX_TOP };
    views.set(group.id, view);
    const toggle = () => setCollapsed([group.id], !view.collapsed);
    for (const target of [handle, box]) {
      target.addEventListener('click', toggle);
      target.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') toggle();
      });
    }
    layers.groups.append(handle, box);
    drawHandle(view);
    if (view.collapsed) {
      box.classList.add('shown');
      drawCounts(view);
    }
  }
  redrawEdges();

  function drawHandle(view) {
    view.handleLabel.textContent = `${view.collapsed ? '▸' : '▾'} ${view.group.taskIds.length} tasks`;
    view.handle.dataset.collapsed = String(view.collapsed);
    view.box.dataset.collapsed = String(view.collapsed);
  }

  function drawCounts(view) {
    view.dirty = false;
    const total = view.group.taskIds.length;
    const present = STATE_ORDER.filter((state) => (view.counts.get(state) ?? 0) > 0);
    let x = 8;
    const width = view.width - 16;
    view.bar.replaceChildren(...present.map((state) => {
      const n = view.counts.get(state);
      const part = svg('rect', { class: `bar state-${state}`, x: String(x), y: '24', width: String(Math.max(1, (n / total) * width)), height: '9' });
      x += (n / total) * width;
      return part;
    }));
    const lines = present.map((state) => `${view.counts.get(state)} ${state}`);
    view.countsLabel.replaceChildren(...lines.map((line, index) => svg('tspan', { x: '8', dy: index === 0 ? '12' : String(LINE), 'data-state': present[index] }, line)));
    view.title.textContent = `${total} tasks (column ${view.group.column + 1}): ${lines.join(', ')}. Click to expand.`;
    view.height = BOX_TOP + lines.length * LINE + 6;
    view.top = options.boxAtTop ? view.group.y : Math.round(view.group.y + view.group.height / 2 - view.height / 2);
    view.frame.setAttribute('height', String(view.height));
    view.box.setAttribute('transform', `translate(${view.left},${view.top})`);
    for (const state of STATE_ORDER) {
      if (view.counts.get(state)) view.box.dataset[state] = String(view.counts.get(state));
      else delete view.box.dataset[state];
    }
  }

  /** Where an edge starts (right side) or ends (left side): its task's box, or its collapsed group's. */
  function anchor(taskId, side) {
    const view = views.get(groupOf.get(taskId));
    const box = view && view.collapsed ? { x: view.left, y: view.top, width: view.width, height: view.height } : nodeById.get(taskId);
    return { x: side === 'right' ? box.x + box.width : box.x, y: box.y + box.height / 2, key: view && view.collapsed ? view.group.id : `task:${taskId}` };
  }

  function isHidden(taskId) {
    const view = views.get(groupOf.get(taskId));
    return Boolean(view && view.collapsed);
  }

  function redrawEdges() {
    const drawn = new Set();
    const lines = [];
    const shown = document.createDocumentFragment();
    for (const edge of graph.edges) {
      if (!isHidden(edge.from) && !isHidden(edge.to)) {
        const line = draw.lineOf(edge);
        if (line.parentNode !== layers.edges) shown.append(line);
        continue;
      }
      draw.lineOf(edge, false)?.remove();
      const from = anchor(edge.from, 'right');
      const to = anchor(edge.to, 'left');
      const key = `${from.key}\u0000${to.key}`;
      if (from.key === to.key || drawn.has(key)) continue;
      drawn.add(key);
      lines.push(svg('polyline', { class: 'dag-edge group-edge', points: `${from.x},${from.y} ${to.x},${to.y}`, 'marker-end': 'url(#arrow)' }));
    }
    layers.edges.append(shown);
    layers.groupEdges.replaceChildren(...lines);
  }

  /**
   * Collapses (or expands) the groups `ids`. The graph is not laid out again (a column keeps its
   * place), so a box collapsed alone is scrolled into view.
   */
  function setCollapsed(ids, collapsed) {
    let first = null;
    for (const id of ids) {
      const view = views.get(id);
      if (!view || view.collapsed === collapsed) continue;
      view.collapsed = collapsed;
      const members = view.group.taskIds.map(draw.nodeOf);
      if (collapsed) for (const node of members) node.remove();
      else layers.nodes.append(...members);
      view.box.classList.toggle('shown', collapsed);
      if (collapsed && view.dirty) drawCounts(view);
      drawHandle(view);
      first ??= collapsed ? view.box : null;
    }
    redrawEdges();
    if (ids.length === 1) first?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }

  return {
    /** Whether the task is in a collapsed group. */
    isHidden,
    /** A task's state shown changed from `before` (undefined: not shown yet, so pending) to `after`. */
    moved(taskId, before, after) {
      const view = views.get(groupOf.get(taskId));
      if (!view || before === after) return;
      const from = before ?? 'pending';
      view.counts.set(from, (view.counts.get(from) ?? 0) - 1);
      view.counts.set(after, (view.counts.get(after) ?? 0) + 1);
      view.dirty = true;
    },
    /** Redraws the counts of the collapsed groups whose tasks changed state. */
    refresh() {
      let moved = false;
      for (const view of views.values()) {
        if (!view.collapsed || !view.dirty) continue;
        const height = view.height;
        drawCounts(view);
        moved ||= view.height !== height;
      }
      if (moved) redrawEdges(); // a box that gained or lost a line of counts moved its middle
    },
    /** Expands the group holding `taskId` when it is collapsed (a task searched or selected). */
    reveal(taskId) {
      const view = views.get(groupOf.get(taskId));
      if (view && view.collapsed) setCollapsed([view.group.id], false);
    },
    collapseAll() {
      setCollapsed([...views.keys()], true);
    },
    expandAll() {
      setCollapsed([...views.keys()], false);
    },
  };
}
