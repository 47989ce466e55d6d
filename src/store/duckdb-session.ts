import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Opens an in-memory DuckDB connection sized for this machine (threads, memory cap). */
export async function openDuckDb(options: { threads?: number; memoryLimit?: string; preserveOrder?: boolean } = {}): Promise<{
  connection: DuckDBConnection;
  close: () => void;
}> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? '1GB',
    preserve_insertion_order: options.preserveOrder ? 'true' : 'false',
  });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Quotes a SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes a SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
