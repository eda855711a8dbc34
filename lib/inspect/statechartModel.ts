/**
 * A flat, renderer-friendly model of a machine's definition, read from `machine.toJSON()`.
 *
 * What `toJSON()` really returns in xstate 5.33 (and why this module normalises it first):
 * - it is not plain JSON: transition targets are `StateNode` objects (each with its own
 *   `toJSON()`), invoke definitions carry their `input` mapper and raw `onDone` config, and inline
 *   actions (`assign(...)`) are functions. Passing it through `JSON.stringify` gives the stable
 *   shape used here: targets become ids like `"#task.running"`, inline actions become `null`.
 * - an invoke's `onDone`/`onError` appear as ordinary transitions of the invoking state under the
 *   event types `xstate.done.actor.<invokeId>` / `xstate.error.actor.<invokeId>`; delayed
 *   transitions as `xstate.after.<delay>.<stateId>`; eventless ones as `""`.
 * - wildcard events (`xstate.done.actor.*`) are kept as written, in the `on` of the node that
 *   declares them (the execution machine declares one on its root, with no target).
 * - guards are a string (`guard: 'anyFailed'`), an object (`{ type, params }`, params dropped
 *   when they are a function) or `null` for an inline guard function.
 * - atomic states still carry an `initial` with an empty target list.
 * - eventless (`always`) transitions are missing from `toJSON()` altogether: they are read from
 *   the state node itself (`machine.getStateNodeById(id).always`), with event type `""`.
 */
import type { AnyStateMachine } from 'xstate';

/** The JSON shape of one state node as `JSON.stringify(machine.toJSON())` gives it. */
export interface StateNodeJson {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  initial?: { target?: string[] } | null;
  states?: Record<string, StateNodeJson>;
  transitions?: TransitionJson[];
  entry?: unknown[];
  exit?: unknown[];
  invoke?: { id: string; src: unknown }[];
}

export interface TransitionJson {
  eventType: string;
  source: string;
  target?: string[];
  guard?: unknown;
  actions?: unknown[];
}

export interface ModelState {
  /** The xstate id, e.g. `task.running`. */
  id: string;
  key: string;
  type: StateNodeJson['type'];
  /** Id of the parent state; null for children of the root. */
  parent: string | null;
  /** Ids of the child states, in document order. */
  children: string[];
  /** Id of the initial child state (compound states). */
  initial: string | null;
  invokes: { id: string; src: string }[];
  entry: string[];
  exit: string[];
}

export interface ModelTransition {
  /** Id of the source state, or null for a transition declared on the machine's root. */
  source: string | null;
  /** Target state ids; empty for a targetless (internal) transition. */
  targets: string[];
  eventType: string;
  /** A readable label: `task.start`, `attempt done [attemptSucceeded]`, `task.spawn / spawnTask`. */
  label: string;
}

export interface StatechartModel {
  id: string;
  /** States in document order (depth first). */
  states: ModelState[];
  /** Id of the machine's initial state. */
  initial: string | null;
  transitions: ModelTransition[];
  /** The normalised JSON definition. */
  json: StateNodeJson;
}

/** Reads a machine's definition into a {@link StatechartModel}. */
export function buildStatechartModel(machine: AnyStateMachine): StatechartModel {
  const json = JSON.parse(JSON.stringify(machine.toJSON())) as StateNodeJson;
  const states: ModelState[] = [];
  const transitions: ModelTransition[] = [];
  const rootId = json.id;
  const visit = (node: StateNodeJson, parent: string | null, isRoot: boolean): void => {
    const children = Object.values(node.states ?? {});
    if (!isRoot) {
      states.push({
        id: node.id,
        key: node.key,
        type: node.type,
        parent,
        children: children.map((child) => child.id),
        initial: initialOf(node),
        invokes: (node.invoke ?? []).map((invoke) => ({ id: invoke.id, src: typeof invoke.src === 'string' ? invoke.src : 'inline' })),
        entry: actionNames(node.entry),
        exit: actionNames(node.exit),
      });
    }
    for (const transition of [...(node.transitions ?? []), ...eventlessTransitions(machine, node.id)]) {
      const targets = (transition.target ?? []).map((target) => target.replace(/^#/, ''));
      transitions.push({ source: isRoot ? null : node.id, targets, eventType: transition.eventType, label: transitionLabel(transition) });
    }
    for (const child of children) visit(child, isRoot ? null : node.id, false);
  };
  visit(json, null, true);
  return { id: rootId, states, initial: initialOf(json), transitions, json };
}

function eventlessTransitions(machine: AnyStateMachine, id: string): TransitionJson[] {
  let always: unknown;
  try {
    always = (machine.getStateNodeById(id) as { always?: unknown }).always;
  } catch {
    return [];
  }
  if (!Array.isArray(always)) return [];
  return JSON.parse(JSON.stringify(always)) as TransitionJson[];
}

function initialOf(node: StateNodeJson): string | null {
  const target = node.initial?.target?.[0];
  return target === undefined ? null : target.replace(/^#/, '');
}

/**
 * A readable name for an event type: `xstate.done.actor.attempt` → `attempt done`,
 * `xstate.done.actor.*` → `any actor done`, `xstate.after.500.x` → `after 500ms`, `""` → `always`.
 */
export function describeEventType(eventType: string): string {
  if (eventType === '') return 'always';
  if (eventType === '*') return 'any event';
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor) return `${actor[2] === '*' ? 'any actor' : actor[2]} ${actor[1]}`;
  const state = /^xstate\.done\.state\.(.+)$/.exec(eventType);
  if (state) return `${state[1]!.split('.').pop()} done`;
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return /^\d+$/.test(after[1]!) ? `after ${after[1]}ms` : `after ${after[1]}`;
  return eventType;
}

function transitionLabel(transition: TransitionJson): string {
  let label = describeEventType(transition.eventType);
  const guard = guardName(transition.guard);
  if (guard !== null) label += ` [${guard}]`;
  const actions = actionNames(transition.actions);
  if (actions.length > 0) label += ` / ${actions.join(', ')}`;
  return label;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined) return null;
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guarded';
}

/** Names of the named actions; inline actions (functions, `null` once serialised) are left out. */
function actionNames(actions: unknown[] | undefined): string[] {
  const names: string[] = [];
  for (const action of actions ?? []) {
    if (typeof action === 'string') names.push(action);
    else if (action && typeof action === 'object' && typeof (action as { type?: unknown }).type === 'string') {
      const type = (action as { type: string }).type;
      if (!type.startsWith('xstate.')) names.push(type);
    }
  }
  return names;
}
