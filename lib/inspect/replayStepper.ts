/**
 * One actor replayed step by step for `verifyReplay`, three ways:
 * - `pureStepper`: XState's pure `initialTransition` / `transition`. It executes no effect
 *   (actions come back as data; invoked and spawned actors are created, never started), so it is
 *   safe for any machine a caller passes.
 * - `actorStepper`: a live actor sent the same events. It executes the machine's actions, so it
 *   is only for machines known to hold no effect but `assign` (the shipped ones), and it is
 *   several times cheaper per step.
 * - `scopedStepper`: the machine's own `getInitialSnapshot` / `transition` with one inert scope
 *   (the scope the pure functions make for every call, made once: actions are handed to it and
 *   dropped, never executed). For the shipped task machine, whose only action is `assign` and
 *   which spawns and invokes nothing, one scope serves every task of an execution: a third less
 *   CPU than an actor per task (no actor, no system, nothing to stop), measured on 100,000 tasks.
 * A step reports a machine that throws (a guard that cannot read the event) or ends in an error.
 */
import { createActor, initialTransition, transition } from 'xstate';
import type { AnyActorRef, AnyActorScope, AnyMachineSnapshot, AnyStateMachine, EventObject, StateValue } from 'xstate';

export type StepResult = { ok: true } | { ok: false; threw: boolean; error: unknown };

export interface ReplayStepper {
  value(): StateValue;
  context(): unknown;
  step(event: EventObject): StepResult;
  stop(): void;
}

export function pureStepper(machine: AnyStateMachine, input: object): ReplayStepper {
  let [snapshot] = initialTransition(machine, input) as [AnyMachineSnapshot, unknown];
  return {
    value: () => snapshot.value,
    context: () => snapshot.context,
    step(event) {
      try {
        [snapshot] = transition(machine, snapshot, event) as [AnyMachineSnapshot, unknown];
      } catch (error) {
        return { ok: false, threw: true, error };
      }
      return snapshot.status === 'error' ? { ok: false, threw: false, error: snapshot.error } : { ok: true };
    },
    stop: () => undefined,
  };
}

export function actorStepper(machine: AnyStateMachine, input: object): ReplayStepper {
  const actor: AnyActorRef = createActor(machine, { input });
  let failure: unknown;
  actor.subscribe({ error: (error: unknown) => (failure = error) }); // an error is a divergence, not an unhandled exception
  actor.start();
  const snapshot = () => actor.getSnapshot() as AnyMachineSnapshot;
  return {
    value: () => snapshot().value,
    context: () => snapshot().context,
    step(event) {
      actor.send(event);
      const status = snapshot().status;
      if (status === 'error' || failure !== undefined) return { ok: false, threw: true, error: failure ?? snapshot().error };
      return { ok: true };
    },
    stop: () => actor.stop(),
  };
}

/** An inert scope for `machine`: its actions are dropped, nothing it would start is started. */
export function inertScope(machine: AnyStateMachine, input: object): AnyActorScope {
  const self = createActor(machine, { input }) as AnyActorRef; // never started: the scope's `self`
  const ignore = () => undefined;
  return { self, id: '', sessionId: '', system: self.system, logger: ignore, defer: ignore, stopChild: ignore, emit: ignore, actionExecutor: ignore } as unknown as AnyActorScope;
}

export function scopedStepper(machine: AnyStateMachine, scope: AnyActorScope, input: object): ReplayStepper {
  let snapshot = machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
  return {
    value: () => snapshot.value,
    context: () => snapshot.context,
    step(event) {
      try {
        snapshot = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
      } catch (error) {
        return { ok: false, threw: true, error };
      }
      return snapshot.status === 'error' ? { ok: false, threw: false, error: snapshot.error } : { ok: true };
    },
    stop: () => undefined,
  };
}
