// The execution's state after transition k, folded from the transition log exactly as the
// engine's replay does (lib/inspect/replay.ts): every task starts pending with attempt 0 and the
// execution pending; a task transition sets that task's status and attempt; an execution
// transition sets the execution's status, its transient cancelling and aborting shown as running.

export function toExecutionStatus(value) {
  return value === 'cancelling' || value === 'aborting' ? 'running' : value;
}

/**
 * A cursor over `transitions` (sorted by seq) that computes the state after step k (0-based).
 * Moving forward folds only the new steps; moving back starts again from the nearest checkpoint
 * (one every `every` steps), so scrubbing a long log stays fast.
 */
export function createReplay(taskIds, transitions, every = 512) {
  const checkpoints = new Map();
  let state = initial();
  let at = -1;

  function initial() {
    const tasks = new Map();
    for (const id of taskIds) tasks.set(id, { status: 'pending', attempt: 0 });
    return { status: 'pending', tasks };
  }

  function copy(source) {
    return { status: source.status, tasks: new Map(source.tasks) };
  }

  function apply(target, transition) {
    if (transition.taskId === null) target.status = toExecutionStatus(transition.to);
    else target.tasks.set(transition.taskId, { status: transition.to, attempt: transition.attempt });
  }

  return {
    /** The state after transition k (k from -1: before the first). Do not keep it across calls. */
    stateAt(k) {
      if (k < at) {
        let from = -1;
        for (const index of checkpoints.keys()) if (index <= k && index > from) from = index;
        state = from < 0 ? initial() : copy(checkpoints.get(from));
        at = from;
      }
      while (at < k && at + 1 < transitions.length) {
        at += 1;
        apply(state, transitions[at]);
        if ((at + 1) % every === 0 && !checkpoints.has(at)) checkpoints.set(at, copy(state));
      }
      return state;
    },
  };
}
