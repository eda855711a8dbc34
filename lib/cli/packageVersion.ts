/**
 * The version of the installed task-graph, read from its package.json: the nearest one named
 * `task-graph` above this module (lib/cli/ in the sources, dist/lib/cli/ once built).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @example packageVersion(); // '0.1.0'
 */
export function packageVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let directory = from; ; directory = path.dirname(directory)) {
    const manifest = readManifest(path.join(directory, 'package.json'));
    if (manifest?.name === 'task-graph' && typeof manifest.version === 'string') return manifest.version;
    if (path.dirname(directory) === directory) return 'unknown';
  }
}

function readManifest(file: string): { name?: unknown; version?: unknown } | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return null;
  }
}
