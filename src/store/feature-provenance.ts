import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { FEATURE_NAMES } from '../core/feature-catalog.js';
import type { ObjectStore } from './object-store.js';

/**
 * Data provenance of the feature store: which source wrote each symbol of each feature and time frame.
 *
 * Beside the data, never inside it (the seed's long-format files stay exactly as they are): one small JSON
 * manifest per feature and time frame, `<prefix>/feature=<f>/time_frame=<tf>/_provenance.json` (a leading `_`
 * hides it from Athena, Trino and Spark, which skip such files; stockcast reads only `*.parquet` there):
 *
 *   { "format": "stockcast-provenance/1", "feature": "open", "timeFrame": "1Day",
 *     "symbols": { "AAPL": { "source": "alpaca", "since": "2025-01-06T15:00:01.000Z",
 *                            "earlier": [{ "source": "yahoo", "until": "2025-01-06T15:00:01.000Z" }] } } }
 *
 * A manifest changes only when a symbol is first written or switches source, by read-merge-write under a lock
 * (a local store: `<prefix>/_locks/`; S3: a lock in the machine's temp folder, so writers on one machine are
 * serialised) and replaced atomically (temp file + rename, or one PUT).
 */

/** The made-up source; every other source is real (csv, alpaca, yahoo for bars, nasdaq for earnings). */
export const SYNTHETIC = 'synthetic';

/** Who writes a batch, and whether real symbols may switch from one real source to another. */
export interface WriteOrigin {
  source: string;
  allowSourceChange?: boolean;
}

/** A recorded switch from one real source to another (only with `allowSourceChange`). */
export interface SourceChange {
  feature: string;
  symbols: string[];
  from: string;
  to: string;
}

const entrySchema = z.object({
  source: z.string(),
  since: z.string(),
  earlier: z.array(z.object({ source: z.string(), until: z.string() })).optional(),
});
const manifestSchema = z.object({
  format: z.literal('stockcast-provenance/1'),
  feature: z.string(),
  timeFrame: z.string(),
  symbols: z.record(z.string(), entrySchema),
});
export type ProvenanceManifest = z.infer<typeof manifestSchema>;

/** The write would mix sources: the message names the symbols, the features and the source already there. */
export class ProvenanceConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvenanceConflictError';
  }
}

/** What the provenance needs from its store: where manifests live, and which symbols a feature already holds. */
export interface FeatureProvenanceOptions {
  objects: ObjectStore;
  prefix: string;
  /** Symbols with rows of a feature (to find rows written before provenance was recorded). */
  storedSymbols: (feature: string, timeFrame: string) => Promise<string[]>;
}

/** Reads, checks and records the provenance manifests of one feature store. */
export class FeatureProvenance {
  constructor(private readonly o: FeatureProvenanceOptions) {}

  /** The manifest of one feature and time frame (empty when nothing was recorded). */
  async read(feature: string, timeFrame: string): Promise<ProvenanceManifest> {
    const key = this.key(feature, timeFrame);
    return this.parse(await this.o.objects.get(key), feature, timeFrame, key);
  }

  private parse(bytes: Uint8Array | null, feature: string, timeFrame: string, key: string): ProvenanceManifest {
    if (!bytes) return { format: 'stockcast-provenance/1', feature, timeFrame, symbols: {} };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (err) {
      throw new Error(`provenance manifest ${this.o.objects.location}/${key} is not JSON: ${(err as Error).message}`);
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) throw new Error(`provenance manifest ${this.o.objects.location}/${key}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  }

  /** Feature → symbol → recorded source, for the given features. */
  async sources(features: string[], timeFrame: string): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    for (const f of features) out.set(f, new Map(Object.entries((await this.read(f, timeFrame)).symbols).map(([s, e]) => [s, e.source])));
    return out;
  }

  /**
   * Refuses a write that would mix sources (before anything is written): synthetic rows for a symbol that holds
   * real data in any feature (or rows of unknown origin), real rows for a symbol that holds synthetic data, and —
   * unless `allowSourceChange` — rows from another real source than the one recorded. Returns the allowed switches.
   */
  async check(features: string[], timeFrame: string, symbols: string[], origin: WriteOrigin): Promise<SourceChange[]> {
    validateSourceName(origin.source);
    const wanted = new Set(symbols);
    const all = await this.sources([...FEATURE_NAMES], timeFrame);
    const problems: string[] = [];
    const switches: SourceChange[] = [];
    // across every feature: a symbol is either made up or real, never both
    const otherKind = new Map<string, { symbols: Set<string>; features: Set<string> }>();
    for (const [feature, bySymbol] of all) {
      for (const [symbol, source] of bySymbol) {
        if (!wanted.has(symbol) || (source === SYNTHETIC) === (origin.source === SYNTHETIC)) continue;
        const seen = otherKind.get(source) ?? { symbols: new Set<string>(), features: new Set<string>() };
        seen.symbols.add(symbol);
        seen.features.add(feature);
        otherKind.set(source, seen);
      }
    }
    for (const [source, seen] of otherKind) {
      const what = source === SYNTHETIC ? 'synthetic (made-up) data' : `real data from ${source}`;
      problems.push(`the store holds ${what} for ${list(seen.symbols)} (${[...seen.features].join(', ')})`);
    }
    for (const feature of features) {
      const recorded = all.get(feature) ?? new Map<string, string>();
      const byOther = new Map<string, Set<string>>();
      for (const s of wanted) {
        const was = recorded.get(s);
        if (was !== undefined && was !== origin.source && was !== SYNTHETIC && origin.source !== SYNTHETIC) add(byOther, was, s);
      }
      for (const [from, syms] of byOther) {
        if (origin.allowSourceChange) switches.push({ feature, symbols: [...syms].sort(), from, to: origin.source });
        else problems.push(`${feature} of ${list(syms)} was written from ${from}`);
      }
      if (origin.source === SYNTHETIC && [...wanted].some((s) => !recorded.has(s))) {
        const unknown = (await this.o.storedSymbols(feature, timeFrame)).filter((s) => wanted.has(s) && !recorded.has(s));
        if (unknown.length > 0) problems.push(`the store holds ${feature} rows of unknown origin (written before sources were recorded) for ${list(unknown)}`);
      }
    }
    if (problems.length > 0) throw new ProvenanceConflictError(conflictMessage(this.o.objects.location, origin.source, problems));
    return switches;
  }

  /** Records that `origin.source` wrote these symbols of these features (a read-modify-write of the manifest). */
  async record(features: string[], timeFrame: string, symbols: string[], origin: WriteOrigin, at: Date = new Date()): Promise<void> {
    const unique = [...new Set(symbols)].sort();
    for (const feature of features) {
      const current = await this.read(feature, timeFrame);
      if (unique.every((s) => current.symbols[s]?.source === origin.source)) continue; // nothing new: no write, no lock
      // a read-modify-write the object store makes safe across processes (a lock file locally, conditional PUTs on S3)
      const key = this.key(feature, timeFrame);
      await this.o.objects.update(key, async (u) => {
        const manifest = this.parse(u.current === null ? null : await readFile(u.current), feature, timeFrame, key);
        for (const s of unique) {
          const entry = manifest.symbols[s];
          if (!entry) manifest.symbols[s] = { source: origin.source, since: at.toISOString() };
          else if (entry.source !== origin.source) manifest.symbols[s] = { source: origin.source, since: at.toISOString(), earlier: [...(entry.earlier ?? []), { source: entry.source, until: at.toISOString() }] };
        }
        manifest.symbols = Object.fromEntries(Object.entries(manifest.symbols).sort(([a], [b]) => a.localeCompare(b)));
        await writeFile(u.output, `${JSON.stringify(manifest, null, 1)}\n`);
        return { write: true, result: undefined };
      });
    }
  }

  private key(feature: string, timeFrame: string): string {
    return `${this.o.prefix}/feature=${feature}/time_frame=${timeFrame}/_provenance.json`;
  }
}

/** A source name as recorded: lowercase letters, digits and dashes. */
export function validateSourceName(source: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(source)) throw new Error(`invalid data source name ${JSON.stringify(source)}`);
  return source;
}

function conflictMessage(location: string, source: string, problems: string[]): string {
  const advice =
    source === SYNTHETIC
      ? 'synthetic data belongs in a store of its own (another STOCKCAST_HOME or ATHENA_TABLE_S3_PREFIX)'
      : 'two sources in one series put a jump where their prices or adjustments differ; pass --allow-source-change to switch these symbols to ' +
        `${source} deliberately (recorded in the store's provenance), or use the source recorded`;
  return `feature store ${location}: refusing to write ${source} rows: ${problems.join('; ')}. ${advice[0]!.toUpperCase()}${advice.slice(1)}.`;
}

function add(map: Map<string, Set<string>>, key: string, symbol: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(symbol);
  map.set(key, set);
}

/** Up to ten symbols, sorted, then a count of the rest. */
function list(symbols: Iterable<string>): string {
  const all = [...symbols].sort();
  return all.length <= 10 ? all.join(', ') : `${all.slice(0, 10).join(', ')} and ${all.length - 10} more`;
}
