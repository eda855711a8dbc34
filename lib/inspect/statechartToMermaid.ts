/**
 * A {@link StatechartModel} as a Mermaid `stateDiagram-v2`:
 * - `[*] --> initial` for the machine and for every compound state (drawn as a nested block);
 *   parallel regions are separated by `--`;
 * - one arrow per transition and target, labelled with the readable event (`attempt done
 *   [attemptSucceeded]`); a targetless transition is a self-loop marked `(internal)`;
 * - `final --> [*]` for each final state;
 * - a note on each state that invokes actors or has entry/exit actions, and one note (on the
 *   initial state) for the transitions declared on the machine's root, which apply in every state.
 */
import { createIdAllocator, mermaidText } from './escapeText.js';
import type { ModelState, StatechartModel } from './statechartModel.js';

export function statechartToMermaid(model: StatechartModel): string {
  const idOf = createIdAllocator();
  const stateId = (id: string): string => idOf(id, id.startsWith(`${model.id}.`) ? id.slice(model.id.length + 1) : id);
  const byId = new Map(model.states.map((state) => [state.id, state]));
  const lines: string[] = ['stateDiagram-v2'];

  const declare = (state: ModelState, indent: string): void => {
    const id = stateId(state.id);
    if (state.children.length === 0) {
      lines.push(id === state.key ? `${indent}${id}` : `${indent}state "${mermaidText(state.key)}" as ${id}`);
      return;
    }
    lines.push(`${indent}state "${mermaidText(state.key)}" as ${id} {`);
    const inner = `${indent}  `;
    if (state.type === 'parallel') {
      state.children.forEach((childId, index) => {
        if (index > 0) lines.push(`${inner}--`);
        const child = byId.get(childId);
        if (child) declare(child, inner);
      });
    } else {
      if (state.initial !== null) lines.push(`${inner}[*] --> ${stateId(state.initial)}`);
      for (const childId of state.children) {
        const child = byId.get(childId);
        if (child) declare(child, inner);
      }
    }
    lines.push(`${indent}}`);
  };
  for (const state of model.states) if (state.parent === null) declare(state, '  ');

  if (model.initial !== null) lines.push(`  [*] --> ${stateId(model.initial)}`);
  const rootRules: string[] = [];
  for (const transition of model.transitions) {
    const label = mermaidText(transition.label);
    if (transition.source === null) {
      const targets = transition.targets.map((target) => byId.get(target)?.key ?? target);
      rootRules.push(targets.length === 0 ? label : `${label} → ${targets.map(mermaidText).join(', ')}`);
      continue;
    }
    const source = stateId(transition.source);
    if (transition.targets.length === 0) lines.push(`  ${source} --> ${source} : ${label} (internal)`);
    for (const target of transition.targets) lines.push(`  ${source} --> ${stateId(target)} : ${label}`);
  }
  for (const state of model.states) {
    if (state.type === 'final' && state.parent === null) lines.push(`  ${stateId(state.id)} --> [*]`);
  }
  for (const state of model.states) {
    const facts = [
      ...state.invokes.map((invoke) => `invokes ${invoke.src} as ${invoke.id}`),
      ...state.entry.map((action) => `entry / ${action}`),
      ...state.exit.map((action) => `exit / ${action}`),
    ];
    if (facts.length > 0) lines.push(`  note right of ${stateId(state.id)}`, ...facts.map((fact) => `    ${mermaidText(fact)}`), '  end note');
  }
  if (rootRules.length > 0 && model.initial !== null) {
    lines.push(`  note left of ${stateId(model.initial)}`, '    in every state:', ...rootRules.map((rule) => `    ${rule}`), '  end note');
  }
  return `${lines.join('\n')}\n`;
}
