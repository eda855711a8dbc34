/**
 * One actor replayed step by step for `verifyReplay`, two ways:
 * - `pureStepper`: XState's pure `initialTransition` / `transition`. It executes no effect
 *   (actions come back as data; invoked and spawned actors are created, never started), so it is
 *   safe for any machine a caller passes.
 * - `actorStepper`: a live actor sent the same events. It executes the machine's actions, so it
 *   is only for machines known to hold no effect but `assign` (the shipped ones), and it is
 *   several times cheaper per step.
 * A step reports a machine that throws (a guard that cannot read the event) or ends in an error.
 */
import { createActor, initialTransition, transition } from 'xstate';
import type { AnyActorRef, AnyMachineSnapshot, AnyStateMachine, EventObject, StateValue } from 'xstate';

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
