// The execution page's DAG (GET …/graph, laid out by the server): one box per task coloured by the
// state shown, the edges, a search that marks matching tasks, the selected task, and the
// collapsible columns (groupView.js). A task's box and an edge's polyline are made the first time
// they are drawn, in the state shown then: a graph that opens with its columns collapsed (a graph
// laid out in columns, above 2,000 tasks) builds none of its thousands of boxes until a column is
// expanded.
import { svg } from './common.js';
import { createGroupView } from './groupView.js';

/**
 * Draws `graph` and returns its controls. `stateOf(taskId)` is the task's state shown now
 * (`{ status, attempt }`, undefined: pending); `onSelect(taskId)` is called on a click or Enter.
 */
export function createDagView(graph, { stateOf, onSelect }) {
  const nodes = new Map();
  const lines = new Map();
  const layout = new Map(graph.nodes.map((node) => [node.id, node]));
  let searchText = '';
  let selected = null;

  const isMatch = (taskId) => searchText !== '' && taskId.toLowerCase().includes(searchText);
  const nodeClass = (taskId, status) => `dag-node state-${status}${isMatch(taskId) ? ' match' : ''}${taskId === selected ? ' selected' : ''}`;

  /** The edge's polyline, made the first time it is drawn (unless `make` is false: then undefined until then). */
  function lineOf(edge, make = true) {
    let line = lines.get(edge);
    if (!line && make) {
      line = svg('polyline', { class: `dag-edge${edge.inferred ? ' inferred' : ''}`, 'data-from': edge.from, 'data-to': edge.to,
        points: edge.points.map((point) => `${point.x},${point.y}`).join(' '), 'marker-end': 'url(#arrow)' });
      lines.set(edge, line);
    }
    return line;
  }

  /** The task's box, made the first time it is drawn, in the state shown now. */
  function nodeOf(taskId) {
    const existing = nodes.get(taskId);
    if (existing) return existing;
    const node = layout.get(taskId);
    const task = stateOf(taskId) ?? { status: 'pending', attempt: 0 };
    const room = Math.floor((node.width - 16) / 7.5);
    const label = [...node.id].length > room ? `${[...node.id].slice(0, room - 1).join('')}…` : node.id;
    const group = svg('g', { class: nodeClass(taskId, task.status), 'data-task-id': node.id, 'data-status': task.status, 'data-attempt': String(task.attempt),
      transform: `translate(${node.x},${node.y})`, tabindex: '0' },
      svg('title', {}, node.name === node.id ? node.id : `${node.id} — ${node.name}`),
      svg('rect', { class: 'node-box', width: node.width, height: node.height, rx: '6' }),
      svg('text', { class: 'node-label', x: '8', y: String(node.height / 2 + 4) }, label));
    group.addEventListener('click', () => onSelect(node.id));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') onSelect(node.id);
    });
    nodes.set(node.id, group);
    return group;
  }

  const root = svg('svg', { class: 'dag', width: graph.width, height: graph.height, viewBox: `0 0 ${graph.width} ${graph.height}`, role: 'img', 'aria-label': 'Task graph' },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));
  const layers = { edges: svg('g', { class: 'edges' }), groupEdges: svg('g', { class: 'group-edges' }), nodes: svg('g', { class: 'nodes' }), groups: svg('g', { class: 'groups' }) };
  root.append(layers.edges, layers.groupEdges, layers.nodes, layers.groups);
  const columns = graph.layout === 'columns';
  const groups = createGroupView(graph, layers, { nodeOf, lineOf }, { collapsed: columns, boxAtTop: columns });
  for (const node of graph.nodes) if (!groups.isHidden(node.id)) layers.nodes.append(nodeOf(node.id));

  return {
    /** The `<svg>` to put in the page. */
    root,
    /** The task's state shown changed from `before` (undefined: pending) to `task`. */
    show(taskId, before, task) {
      groups.moved(taskId, before?.status, task.status);
      const node = nodes.get(taskId);
      if (!node) return;
      node.setAttribute('class', nodeClass(taskId, task.status));
      node.dataset.status = task.status;
      node.dataset.attempt = String(task.attempt);
    },
    /** After `show` calls: redraws the counts of the collapsed columns that changed. */
    refresh: () => groups.refresh(),
    /** Marks the tasks whose id contains `text` (any case); expands and scrolls to the first. */
    search(text) {
      searchText = text.trim().toLowerCase();
      for (const [taskId, node] of nodes) node.classList.toggle('match', isMatch(taskId));
      const first = graph.nodes.find((node) => isMatch(node.id));
      if (!first) return;
      groups.reveal(first.id);
      nodes.get(first.id)?.scrollIntoView({ block: 'center', inline: 'center' });
    },
    /** Marks `taskId` as the selected task, expanding its column. */
    select(taskId) {
      nodes.get(selected)?.classList.remove('selected');
      selected = taskId;
      groups.reveal(taskId);
      nodes.get(taskId)?.classList.add('selected');
    },
    collapseAll: () => groups.collapseAll(),
    expandAll: () => groups.expandAll(),
  };
}
