/**
 * A child process that reports by printing one JSON object per line on stdout: spawn it, collect
 * its messages as they come, keep its stderr to say why when it exits with an error.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface JsonLinesChild {
  readonly child: ChildProcess;
  /** The JSON lines printed so far. */
  readonly messages: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

/** Spawns `node <args>`; `label` names it in the line written when it exits with an error. */
export function spawnJsonLinesChild(args: readonly string[], label: string, env: NodeJS.ProcessEnv = process.env): JsonLinesChild {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const messages: Record<string, unknown>[] = [];
  let pending = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) messages.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`${label} exited with ${code}: ${errors}\n`);
      resolve(code);
    }),
  );
  return { child, messages, exited, stderr: () => errors };
}
