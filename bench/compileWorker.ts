/**
 * Workers run as plain JavaScript. Before the first run, the parent transpiles `bench/`, `lib/`
 * and `machines/` file by file (TypeScript's `transpileModule`, the same output as `tsc`, no type
 * checking: `npm run typecheck` does that) into a temporary directory holding a `package.json`
 * (`"type": "module"`) and a link to the repository's `node_modules`; it is removed at the end.
 *
 * Why not `node --import tsx bench/worker.ts` (which works too, for debugging one run): tsx's
 * loader costs each process about a second and 40-60 MB of RSS here, which would be counted in
 * every run's peak RSS and add minutes to a bench of a hundred processes; and compiled JavaScript
 * is what users of the package run.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const SOURCES = ['bench', 'lib', 'machines'];

async function sourceFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/** The compiled worker's path, and how to remove the build. */
export async function compileWorker(root: string): Promise<{ workerPath: string; remove: () => Promise<void> }> {
  const build = await mkdtemp(path.join(os.tmpdir(), 'tg-bench-build-'));
  const removeAtExit = (): void => rmSync(build, { recursive: true, force: true });
  process.once('exit', removeAtExit);
  const remove = async (): Promise<void> => {
    process.removeListener('exit', removeAtExit);
    await rm(build, { recursive: true, force: true });
  };
  try {
    const compilerOptions: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    for (const source of SOURCES) {
      for (const file of await sourceFiles(path.join(root, source))) {
        const relative = path.relative(root, file);
        const { outputText, diagnostics } = ts.transpileModule(await readFile(file, 'utf8'), { compilerOptions, fileName: file, reportDiagnostics: true });
        if (diagnostics && diagnostics.length > 0) throw new Error(`${relative}: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, ' ')}`);
        const target = path.join(build, relative.replace(/\.ts$/, '.js'));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, outputText);
      }
    }
    await writeFile(path.join(build, 'package.json'), '{ "type": "module" }\n');
    await symlink(path.join(root, 'node_modules'), path.join(build, 'node_modules'), 'dir');
  } catch (error) {
    await remove();
    throw error;
  }
  return { workerPath: path.join(build, 'bench', 'worker.js'), remove };
}
