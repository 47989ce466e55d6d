import dynalite from 'dynalite';

/** A DynamoDB-protocol server (dynalite, in memory) on 127.0.0.1 with a random port. */
export async function startDynamoServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
