/**
 * An execution's DAG as a Graphviz digraph: one filled node per task (coloured by state, as in
 * taskStateColors.ts) labelled with its id, state and attempts; solid edges from the workflow,
 * dashed edges recovered from skip reasons; the execution and the notes in the graph's label.
 */
import { dotString } from './escapeText.js';
import type { InspectionData } from './inspectionData.js';
import { colorOf } from './taskStateColors.js';

export function dagToDot(data: InspectionData): string {
  const { execution } = data;
  const title = `execution ${execution.id} of ${execution.workflowId}@${execution.workflowVersion}: ${execution.status}`;
  const lines = [
    `digraph ${dotString(`execution ${execution.id}`)} {`,
    '  rankdir=LR;',
    `  label=${dotString([title, ...data.notes].join('\n'))};`,
    '  labelloc=t;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
  ];
  for (const task of data.tasks) {
    const color = colorOf(task.status);
    const attempts = task.attempt === 1 ? '1 attempt' : `${task.attempt} attempts`;
    lines.push(
      `  ${dotString(task.taskId)} [label=${dotString(`${task.taskId}\n${task.status} · ${attempts}`)}, ` +
        `fillcolor=${dotString(color.fill)}, color=${dotString(color.stroke)}, fontcolor=${dotString(color.text)}, class=${dotString(task.status)}];`,
    );
  }
  for (const edge of data.edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${edge.inferred ? ' [style=dashed]' : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
