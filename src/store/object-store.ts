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
  /** A local filesystem path for the key when the store is a local directory (lets DuckDB read in place). */
  localPath?(key: string): string;
}
