import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file.js';
import { explainFsError } from '../core/fs-errors.js';

/** Records which steps of one backfill request have landed, so a re-run skips them. */
export interface BackfillCheckpoint {
  completed(): Promise<string[]>;
  markCompleted(step: string): Promise<void>;
  /** Forgets the request once it finished without failures. */
  clear(): Promise<void>;
}

/** A checkpoint kept as a small JSON file, rewritten atomically after every step. */
export class FileBackfillCheckpoint implements BackfillCheckpoint {
  private steps: string[] | undefined;

  constructor(private readonly path: string) {}

  /** {@inheritDoc BackfillCheckpoint.completed} */
  async completed(): Promise<string[]> {
    if (!this.steps) {
      try {
        const parsed = JSON.parse(await readFile(this.path, 'utf8')) as { completed?: unknown };
        this.steps = Array.isArray(parsed.completed) ? parsed.completed.map(String) : [];
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') throw explainFsError(err, 'read the backfill checkpoint', this.path);
        if (code !== 'ENOENT') {
          throw new Error(`backfill checkpoint ${this.path} is unreadable; delete it to start over`, { cause: err });
        }
        this.steps = [];
      }
    }
    return [...this.steps];
  }

  /** {@inheritDoc BackfillCheckpoint.markCompleted} */
  async markCompleted(step: string): Promise<void> {
    const steps = await this.completed();
    if (!steps.includes(step)) steps.push(step);
    this.steps = steps;
    await writeFileAtomic(this.path, JSON.stringify({ completed: steps }, null, 1));
  }

  /** {@inheritDoc BackfillCheckpoint.clear} */
  async clear(): Promise<void> {
    this.steps = [];
    await rm(this.path, { force: true });
  }
}
