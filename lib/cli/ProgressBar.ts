/**
 * A one-line progress bar for `task-graph run`: redrawn in place on a TTY, printed every tenth of
 * the way otherwise (logs and CI).
 */
import type { ProgressCounts } from '../engine/TransitionRecorder.js';

const WIDTH = 30;

export class ProgressBar {
  private lastDecile = -1;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(counts: ProgressCounts): void {
    const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
    const ratio = counts.total === 0 ? 1 : done / counts.total;
    const filled = Math.round(ratio * WIDTH);
    const text =
      `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${counts.total}` +
      `  running ${counts.running}  retrying ${counts.retrying}  failed ${counts.failed}  skipped ${counts.skipped}`;
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
