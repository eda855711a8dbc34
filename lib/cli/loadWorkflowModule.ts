/**
 * Loads the user's module that publishes workflows. The module exports a function, as `default`
 * or `register`, taking the engine:
 *
 *   export default function register(engine) { engine.publishWorkflow(engine.createWorkflow('etl')...build()); }
 *
 * TypeScript modules are loaded through tsx; JavaScript modules are imported as they are.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionsError } from '../errors.js';
import type { DurableEngine } from '../engine/DurableEngine.js';

export type RegisterWorkflows = (engine: DurableEngine) => void | Promise<void>;

export async function loadWorkflowModule(file: string, engine: DurableEngine): Promise<void> {
  const absolute = path.resolve(file);
  const url = pathToFileURL(absolute).href;
  let loaded: Record<string, unknown>;
  if (/\.(c|m)?tsx?$/.test(absolute)) {
    const { tsImport } = await import('tsx/esm/api');
    loaded = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } else {
    loaded = (await import(url)) as Record<string, unknown>;
  }
  const register = [loaded['register'], loaded['default'], (loaded['default'] as Record<string, unknown> | undefined)?.['default']].find(
    (candidate): candidate is RegisterWorkflows => typeof candidate === 'function',
  );
  if (!register) {
    throw new InvalidOptionsError('--module', file, 'a module exporting `default` or `register`: (engine) => { engine.publishWorkflow(...) }');
  }
  await register(engine);
}
