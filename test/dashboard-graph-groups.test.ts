/**
 * The collapsible columns of the dashboard's graph (`GET …/graph` `groups`): every column of at
 * least GROUP_MIN_TASKS tasks, in both layouts (dagre up to 2,000 tasks, columns by depth above),
 * each holding exactly the tasks drawn at its horizontal position, top to bottom, with a box
 * around them and room above the graph for the handles. Smaller columns are not groups, and a
 * graph without a group is laid out as before.
 */
import { expect } from 'chai';
import { DAGRE_MAX_TASKS, executionGraph } from '../lib/dashboard/executionGraph.js';
import type { ExecutionGraph } from '../lib/dashboard/executionGraph.js';
import { GROUP_HEADER, GROUP_MIN_TASKS } from '../lib/dashboard/graphGroups.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import { execution } from './support/records.js';

/** `start` → `width` tasks `fan-<i>` → `join`, as an execution recorded with its graph. */
async function fanGraph(id: string, width: number): Promise<ExecutionGraph> {
  const fan = Array.from({ length: width }, (_, i) => `fan-${String(i).padStart(5, '0')}`);
  const tasks = ['start', ...fan, 'join'].map((taskId) => ({ id: taskId, name: taskId }));
  const edges = fan.flatMap((taskId): [string, string][] => [['start', taskId], [taskId, 'join']]);
  const record = execution(id, { status: 'succeeded', graph: { description: '', tasks, edges } });
  return executionGraph(new MemoryStore(), record, undefined);
}

function expectGroupsMatchColumns(graph: ExecutionGraph): void {
  for (const group of graph.groups) {
    const members = graph.nodes.filter((node) => group.taskIds.includes(node.id));
    expect(members).to.have.length(group.taskIds.length);
    const centres = new Set(members.map((node) => Math.round(node.x + node.width / 2)));
    expect(centres.size, `${group.id}: one column`).to.equal(1);
    expect(group.taskIds, 'top to bottom').to.deep.equal([...members].sort((a, b) => a.y - b.y).map((node) => node.id));
    for (const node of members) {
      expect(node.x).to.be.at.least(group.x);
      expect(node.x + node.width).to.be.at.most(group.x + group.width);
      expect(node.y).to.be.at.least(group.y);
      expect(node.y + node.height).to.be.at.most(group.y + group.height);
    }
    expect(group.y, 'room for the handle above').to.be.at.least(GROUP_HEADER);
  }
}

describe('dashboard graph groups', () => {
  it('makes the fan of a dagre layout one group, and leaves its one-task columns alone', async () => {
    const graph = await fanGraph('dagre-fan', 30);
    expect(graph.layout).to.equal('dagre');
    expect(graph.groups.map((group) => [group.id, group.column, group.taskIds.length])).to.deep.equal([['column-1', 1, 30]]);
    expectGroupsMatchColumns(graph);
    expect(Math.min(...graph.nodes.map((node) => node.y))).to.be.at.least(GROUP_HEADER);
  });

  it(`makes the depth columns of a graph above ${DAGRE_MAX_TASKS} tasks groups`, async () => {
    const graph = await fanGraph('column-fan', DAGRE_MAX_TASKS + 100);
    expect(graph.layout).to.equal('columns');
    expect(graph.groups.map((group) => [group.id, group.taskIds.length])).to.deep.equal([['column-1', DAGRE_MAX_TASKS + 100]]);
    expectGroupsMatchColumns(graph);
  });

  it(`has no group when no column holds ${GROUP_MIN_TASKS} tasks, and is laid out as before`, async () => {
    const graph = await fanGraph('small-fan', GROUP_MIN_TASKS - 1);
    expect(graph.groups).to.deep.equal([]);
    expect(Math.min(...graph.nodes.map((node) => node.y))).to.be.below(GROUP_HEADER);
  });
});
