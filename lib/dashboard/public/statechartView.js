// The task statechart beside the selected task (GET /api/statechart, laid out by the server):
// its states and transitions, the task's state at the replay step marked `current`.
import { svg } from './common.js';

/** The task machine's states and transitions; the selected task's state gets the class `current`. */
export function drawStatechart(statechart) {
  const root = svg('svg', { class: 'statechart', id: 'statechart', width: '100%', viewBox: `0 0 ${statechart.width} ${statechart.height}` },
    svg('defs', {}, svg('marker', { id: 'sc-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));
  for (const edge of statechart.edges) {
    root.append(svg('polyline', { class: 'sc-edge', points: edge.points.map((point) => `${point.x},${point.y}`).join(' '), 'marker-end': 'url(#sc-arrow)' },
      svg('title', {}, `${edge.from} → ${edge.to}: ${edge.labels.join(', ')}`)));
  }
  for (const node of statechart.nodes) {
    root.append(svg('g', { class: `sc-state state-${node.id}${node.final ? ' final' : ''}`, 'data-state': node.id, transform: `translate(${node.x},${node.y})` },
      svg('rect', { class: 'node-box', width: node.width, height: node.height, rx: '12' }),
      svg('text', { class: 'node-label', x: '10', y: String(node.height / 2 + 4) }, node.id)));
  }
  return root;
}

/** Marks the state `status` of the drawn statechart as the current one. */
export function highlightStatechart(status) {
  const root = document.getElementById('statechart');
  if (!root) return;
  for (const node of root.querySelectorAll('g.sc-state')) node.classList.toggle('current', node.dataset.state === status);
}
