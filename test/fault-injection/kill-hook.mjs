// Preloaded (node --import) into a stockcast child process by the fault-injection tests: it makes the process
// SIGKILL itself at a chosen moment, the way a power cut or `kill -9` would stop it. Every durable write in
// stockcast ends with a rename onto its final name (partitions, checkpoints, the paper broker's state), so the
// moments are counted in those renames. STOCKCAST_TEST_KILL (JSON):
//   { "match": "<regex on the destination path>", "count": N, "when": "before" | "after", "delayMs": D }
// kills just before the N-th matching rename (its temp file written, not yet in place) or right after it landed,
// or D ms after that point while the process carries on.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const spec = JSON.parse(process.env.STOCKCAST_TEST_KILL ?? 'null');
if (spec) {
  const match = new RegExp(spec.match);
  const original = fs.promises.rename;
  let seen = 0;
  const die = () => process.kill(process.pid, 'SIGKILL');
  const trigger = () => (spec.delayMs ? setTimeout(die, spec.delayMs) : die());
  fs.promises.rename = async (from, to) => {
    const hit = match.test(String(to)) && ++seen === spec.count;
    if (hit && spec.when === 'before' && !spec.delayMs) die();
    const result = await original(from, to);
    if (hit) trigger();
    return result;
  };
  syncBuiltinESMExports();
}
