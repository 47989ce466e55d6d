import type { ObjectStore } from './object-store.js';
import type { FeatureStore } from './feature-store.js';
import type { S3ObjectStoreOptions } from './s3-object-store.js';

/** Where a store lives: a local directory, or an S3 bucket (any S3-protocol server with `endpoint`). */
export type StoreLocation = { dir: string } | { s3: S3ObjectStoreOptions };

/** An object store over a local directory or an S3 bucket; the AWS SDK is loaded only for S3. */
export async function openObjectStore(where: StoreLocation): Promise<ObjectStore> {
  if ('dir' in where) {
    const { LocalObjectStore } = await import('./local-object-store.js');
    return new LocalObjectStore(where.dir);
  }
  const { S3ObjectStore } = await import('./s3-object-store.js');
  return new S3ObjectStore(where.s3);
}

/**
 * The feature store over a location, as the CLI opens it: a local directory (the CLI's `<home>/store`) or a
 * bucket, with the key prefix of the hive layout (the seed's ATHENA_TABLE_S3_PREFIX, default `historical_data_v2`).
 * Read it with `queryWide` and `coverage`; close it when done.
 */
export async function openFeatureStore(where: StoreLocation & { prefix?: string }): Promise<FeatureStore> {
  const { ParquetFeatureStore } = await import('./parquet-feature-store.js');
  return ParquetFeatureStore.open({ objects: await openObjectStore(where), prefix: where.prefix ?? 'historical_data_v2' });
}
