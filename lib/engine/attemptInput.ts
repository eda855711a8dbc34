/**
 * What an attempt receives: the execution input shallow-merged with the outputs of the task's
 * direct upstream tasks (upstream wins, in the order the dependencies were added), and those
 * outputs by task id. Everything is a fresh copy, so that a task may mutate its input or
 * `ctx.upstream` without changing what its siblings receive, the execution input, or the
 * recorded outputs.
 */
export function buildAttemptInput(
  executionInput: unknown,
  upstreamIds: readonly string[],
  outputOf: (taskId: string) => unknown,
): { input: unknown; upstream: Record<string, unknown> } {
  const upstream: Record<string, unknown> = {};
  let input: unknown = structuredClone(executionInput);
  for (const id of upstreamIds) {
    upstream[id] = structuredClone(outputOf(id));
    const output = structuredClone(upstream[id]);
    if (isPlainObject(output)) input = { ...(isPlainObject(input) ? input : {}), ...output };
  }
  return { input, upstream };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
