/**
 * What an attempt receives: the execution input shallow-merged with the outputs of the task's
 * direct upstream tasks (upstream wins, in the order the dependencies were added), and those
 * outputs by task id (`ctx.upstream`, built only when the task reads it). Everything is a fresh
 * copy, so that a task may mutate its input or `ctx.upstream` without changing what its siblings
 * receive, the execution input, or the recorded outputs.
 */
export function buildAttemptInput(executionInput: unknown, upstreamIds: readonly string[], outputOf: (taskId: string) => unknown): unknown {
  let input: unknown = copy(executionInput);
  for (const id of upstreamIds) {
    const output = outputOf(id);
    if (isPlainObject(output)) input = { ...(isPlainObject(input) ? input : {}), ...(copy(output) as Record<string, unknown>) };
  }
  return input;
}

/** The outputs of the direct upstream tasks, by task id, as copies. */
export function buildUpstreamOutputs(upstreamIds: readonly string[], outputOf: (taskId: string) => unknown): Record<string, unknown> {
  const upstream: Record<string, unknown> = {};
  for (const id of upstreamIds) upstream[id] = copy(outputOf(id));
  return upstream;
}

/** A copy the task may mutate: primitives are their own copy (structuredClone costs microseconds each). */
function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0) return {};
  return structuredClone(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
