/**
 * Loads the user's module that publishes workflows. The module exports a function, as `default`
 * or `register`, taking the engine:
 *
 *   export default function register(engine) { engine.publishWorkflow(engine.createWorkflow('etl')...build()); }
 *
 * TypeScript modules are loaded through tsx; JavaScript modules are imported as they are.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionsError, TaskGraphError, toError } from '../errors.js';
import type { Engine } from '../engine/Engine.js';

export type RegisterWorkflows = (engine: Engine) => void | Promise<void>;

/**
 * Imports `file` and calls its register function with the engine. Every failure names the
 * module: a missing file, an error thrown while importing it (or a syntax error), a module
 * without a register function, and an error thrown by the register function.
 * @throws TaskGraphError with code MODULE_NOT_FOUND, MODULE_LOAD_FAILED or MODULE_REGISTER_FAILED;
 *   InvalidOptionsError for a module without `default` or `register`
 * @example await loadWorkflowModule('./workflows.ts', engine);
 */
export async function loadWorkflowModule(file: string, engine: Engine): Promise<void> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new TaskGraphError('MODULE_NOT_FOUND', `Workflow module ${file} does not exist${absolute === file ? '' : ` (${absolute})`}.`);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = await importModule(absolute);
  } catch (error) {
    throw new TaskGraphError('MODULE_LOAD_FAILED', `Workflow module ${file} failed to load: ${describeError(error)}`, { cause: error });
  }
  const register = [loaded['register'], loaded['default'], (loaded['default'] as Record<string, unknown> | undefined)?.['default']].find(
    (candidate): candidate is RegisterWorkflows => typeof candidate === 'function',
  );
  if (!register) {
    throw new InvalidOptionsError('--module', file, 'a module exporting `default` or `register`: (engine) => { engine.publishWorkflow(...) }');
  }
  try {
    await register(engine);
  } catch (error) {
    throw new TaskGraphError('MODULE_REGISTER_FAILED', `Workflow module ${file} failed while publishing its workflows: ${describeError(error)}`, { cause: error });
  }
}

/** TypeScript modules go through tsx; JavaScript modules are imported as they are. */
async function importModule(absolute: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(absolute).href;
  if (/\.(c|m)?tsx?$/.test(absolute)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** `Name: message` on one line (a transform error of tsx spans several). */
function describeError(thrown: unknown): string {
  const error = toError(thrown);
  return `${error.name}: ${error.message.trim().replace(/\s*\n\s*/g, ' ')}`;
}
