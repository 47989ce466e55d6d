import cliProgress from 'cli-progress';

/** A progress bar on stderr that stays silent when stderr is not a terminal (CI, pipes) except for a final line. */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/** Creates a progress bar for a long step. */
export function createProgress(title: string): Progress {
  if (!process.stderr.isTTY) {
    let lastPct = -1;
    return {
      update(done, total) {
        // a coarse log line every 25 % keeps CI logs readable
        const pct = total > 0 ? Math.floor((done / total) * 4) * 25 : 0;
        if (pct !== lastPct && pct > 0) {
          lastPct = pct;
          process.stderr.write(`${title}: ${done}/${total} (${pct}%)\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {percentage}% | {value}/{total} {label} | eta {eta_formatted}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = '') {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
