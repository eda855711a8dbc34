/**
 * A {@link StatechartModel} as a Graphviz `digraph`: a point for the initial state, rounded boxes
 * for states (final states get a double border), a cluster per compound state (edges to and from
 * it end at its border), one labelled edge per transition and target, dashed self-loops for
 * targetless transitions, invoked actors and entry/exit actions in the state's label, and a note
 * node for the transitions declared on the machine's root.
 */
import { createIdAllocator, dotString } from './escapeText.js';
import type { ModelState, StatechartModel } from './statechartModel.js';

export function statechartToDot(model: StatechartModel): string {
  const allocate = createIdAllocator();
  /** Node id of a state (its path below the root) or, for `special: true`, of a helper node. */
  const idOf = (id: string, special = false): string =>
    special ? allocate(`special:${id}`, id) : allocate(`state:${id}`, id.startsWith(`${model.id}.`) ? id.slice(model.id.length + 1) : id);
  const byId = new Map(model.states.map((state) => [state.id, state]));
  /** The node an edge to or from a state attaches to: a compound state's initial point. */
  const anchor = (id: string): string => {
    const state = byId.get(id);
    return state && state.children.length > 0 ? idOf(`__initial:${id}`, true) : idOf(id);
  };
  /** `lhead`/`ltail` so that an edge to or from a compound state ends at its cluster's border. */
  const clip = (source: string, target: string | null): string => {
    const attributes: string[] = [];
    if (target !== null && (byId.get(target)?.children.length ?? 0) > 0) attributes.push(`lhead=${idOf(`cluster_${target}`, true)}`);
    if ((byId.get(source)?.children.length ?? 0) > 0) attributes.push(`ltail=${idOf(`cluster_${source}`, true)}`);
    return attributes.map((attribute) => `, ${attribute}`).join('');
  };
  const lines: string[] = [
    `digraph ${dotString(model.id)} {`,
    '  rankdir=LR;',
    '  compound=true;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];

  const declare = (state: ModelState, indent: string): void => {
    if (state.children.length === 0) {
      const facts = [
        state.key,
        ...state.invokes.map((invoke) => `invoke ${invoke.id}: ${invoke.src}`),
        ...state.entry.map((action) => `entry / ${action}`),
        ...state.exit.map((action) => `exit / ${action}`),
      ];
      const final = state.type === 'final' ? ', peripheries=2' : '';
      lines.push(`${indent}${idOf(state.id)} [label=${dotString(facts.join('\n'))}${final}];`);
      return;
    }
    lines.push(`${indent}subgraph ${idOf(`cluster_${state.id}`, true)} {`, `${indent}  label=${dotString(state.key)};`);
    const invisible = state.type === 'parallel' ? ', style=invis' : '';
    lines.push(`${indent}  ${idOf(`__initial:${state.id}`, true)} [shape=point, width=0.12${invisible}];`);
    if (state.initial !== null && state.type !== 'parallel') {
      lines.push(`${indent}  ${idOf(`__initial:${state.id}`, true)} -> ${anchor(state.initial)};`);
    }
    for (const childId of state.children) {
      const child = byId.get(childId);
      if (child) declare(child, `${indent}  `);
    }
    lines.push(`${indent}}`);
  };

  lines.push(`  ${idOf('__initial', true)} [shape=point, width=0.15];`);
  for (const state of model.states) if (state.parent === null) declare(state, '  ');
  if (model.initial !== null) lines.push(`  ${idOf('__initial', true)} -> ${anchor(model.initial)};`);

  const rootRules: string[] = [];
  for (const transition of model.transitions) {
    if (transition.source === null) {
      const targets = transition.targets.map((target) => byId.get(target)?.key ?? target);
      rootRules.push(targets.length === 0 ? transition.label : `${transition.label} → ${targets.join(', ')}`);
      continue;
    }
    const source = anchor(transition.source);
    if (transition.targets.length === 0) {
      lines.push(`  ${source} -> ${source} [label=${dotString(`${transition.label} (internal)`)}, style=dashed${clip(transition.source, null)}];`);
    }
    for (const target of transition.targets) {
      lines.push(`  ${source} -> ${anchor(target)} [label=${dotString(transition.label)}${clip(transition.source, target)}];`);
    }
  }
  if (rootRules.length > 0) {
    lines.push(`  ${idOf('__root_rules', true)} [shape=note, style="", label=${dotString(['in every state:', ...rootRules].join('\n'))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
