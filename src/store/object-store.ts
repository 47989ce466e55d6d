/** One step of a read-modify-write: the object now (a local file to read, or null when missing) and where to write its replacement. */
export interface ObjectUpdate {
  current: string | null;
  output: string;
}

/** What an update step decided: store `output` in place of the object, or leave the object as it is. */
export interface ObjectUpdateDecision<T> {
  write: boolean;
  result: T;
}

/** Port for a flat key → bytes store (a local directory or an S3 bucket). Keys use `/` separators. */
export interface ObjectStore {
  /** Human-readable location, e.g. `file:///…` or `s3://bucket/prefix`. Never contains credentials. */
  readonly location: string;
  /** Writes atomically: readers see the old object or the new one, never a partial one. */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Returns the object's bytes, or null when the key does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  /** Lists keys under a prefix (recursively), sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Uploads a local file to `key` (streams; for large Parquet files). */
  putFile(key: string, localPath: string): Promise<void>;
  /** Downloads `key` to a local file; returns false when the key does not exist. */
  getFile(key: string, localPath: string): Promise<boolean>;
  /**
   * Read-modify-write of one object that never loses a concurrent writer's change, from this process or another:
   * a local store runs `step` under an exclusive lock file; S3 writes with a conditional PUT (If-Match on the
   * ETag read, If-None-Match for a new key) and re-runs `step` on the newer object when another writer won.
   * `step` may therefore run more than once; the result of the run whose decision landed is returned.
   */
  update<T>(key: string, step: (u: ObjectUpdate) => Promise<ObjectUpdateDecision<T>>): Promise<T>;
  /** A local filesystem path for the key when the store is a local directory (lets DuckDB read in place). */
  localPath?(key: string): string;
}
