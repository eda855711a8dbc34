/**
 * The one way tests wait for a state: poll a condition (sync or async) every few milliseconds
 * until it holds, and fail loudly, naming what was awaited, when it does not within the limit.
 * It waits for a state; it asserts nothing about timing.
 *
 * @example
 * await waitUntil(() => handle.progress().running === 2, 'a and b run');
 * await waitUntil(async () => (await engine.getExecution(id)).status === 'succeeded', 'the execution succeeded');
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`Gave up after ${limitMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
