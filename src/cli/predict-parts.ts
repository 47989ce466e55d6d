import { runPredict, type PredictFlags } from './evaluate.js';
import { openRuntime } from './runtime.js';

/** `predict`: one run, one shard (`--shard i/n`) or the merge of the parts (`--merge [--shards n]`). */
export async function predictCommand(opts: PredictFlags): Promise<void> {
  if (opts.merge && opts.shard) throw new Error('--merge and --shard contradict each other: run the shards first, then --merge once');
  if (opts.shards !== undefined && !opts.merge) throw new Error('--shards goes with --merge (use --shard i/n to forecast one shard)');
  if (opts.baseline !== undefined && (opts.shard || opts.merge)) throw new Error('--baseline writes a whole baseline at once: it takes no --shard or --merge');
  if (!opts.merge) {
    await runPredict(opts.modelId, opts);
    return;
  }
  const count = opts.shards;
  const runtime = await openRuntime();
  try {
    const { mergeParts } = await import('../pipeline/prediction-set.js');
    const models = await runtime.modelStore();
    const { key, table, parts, removed } = await mergeParts({ modelId: opts.modelId, models, count });
    for (const k of removed) process.stderr.write(`removed ${models.location}/${k} (another split)\n`);
    process.stdout.write(`merged ${parts} part(s): ${table.currentY.length} windows (${new Set(table.symbols).size} symbols × ${new Set(table.timestamps).size} days) → ${models.location}/${key}\n`);
  } finally {
    await runtime.close();
  }
}
