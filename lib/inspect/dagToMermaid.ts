/**
 * An execution's DAG as a Mermaid `flowchart LR`: one node per task labelled with its id, state
 * and attempts, one `classDef` per task state (coloured as in taskStateColors.ts), solid arrows
 * for the workflow's edges and dashed ones for edges recovered from skip reasons. Node ids are
 * generated (`t0`, `t1`, ...) so any task id is safe; the id itself is escaped into the label.
 */
import { mermaidText } from './escapeText.js';
import type { InspectionData } from './inspectionData.js';
import { TASK_STATE_COLORS, TASK_STATES } from './taskStateColors.js';

export function dagToMermaid(data: InspectionData): string {
  const { execution } = data;
  const nodeId = new Map(data.tasks.map((task, index) => [task.taskId, `t${index}`]));
  const lines = [
    'flowchart LR',
    `  %% execution ${mermaidText(execution.id)} of ${mermaidText(execution.workflowId)}@${mermaidText(execution.workflowVersion)}: ${execution.status}`,
    ...data.notes.map((note) => `  %% ${mermaidText(note)}`),
  ];
  for (const task of data.tasks) {
    const attempts = task.attempt === 1 ? '1 attempt' : `${task.attempt} attempts`;
    lines.push(`  ${nodeId.get(task.taskId)}["${mermaidText(task.taskId)}<br/>${task.status} · ${attempts}"]`);
  }
  for (const edge of data.edges) {
    const from = nodeId.get(edge.from);
    const to = nodeId.get(edge.to);
    if (from !== undefined && to !== undefined) lines.push(`  ${from} ${edge.inferred ? '-.->' : '-->'} ${to}`);
  }
  for (const state of TASK_STATES) {
    const color = TASK_STATE_COLORS[state];
    lines.push(`  classDef ${state} fill:${color.fill},stroke:${color.stroke},color:${color.text}`);
  }
  for (const state of TASK_STATES) {
    const ids = data.tasks.filter((task) => task.status === state).map((task) => nodeId.get(task.taskId));
    if (ids.length > 0) lines.push(`  class ${ids.join(',')} ${state}`);
  }
  return `${lines.join('\n')}\n`;
}
