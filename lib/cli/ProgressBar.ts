/**
 * A one-line progress bar for `task-graph run`: redrawn in place on a TTY, printed every tenth of
 * the way otherwise (logs and CI).
 */
import type { ExecutionProgress } from '../engine/ProgressReporter.js';

const WIDTH = 30;

export class ProgressBar {
  private lastDecile = -1;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(counts: ExecutionProgress): void {
    const done = counts.done;
    const ratio = counts.total === 0 ? 1 : done / counts.total;
    const filled = Math.round(ratio * WIDTH);
    const left = counts.remainingMs === null || done === counts.total ? '' : `  ~${seconds(counts.remainingMs)} left`;
    const text =
      `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${counts.total} ${counts.percent}%` +
      `  running ${counts.running}  retrying ${counts.retrying}  failed ${counts.failed}  skipped ${counts.skipped}${left}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}`);
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${text}\n`);
    }
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
