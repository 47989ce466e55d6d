import { createServer, request, type IncomingMessage } from 'node:http';

/** What went through the proxy, by method and status. */
export interface TrafficCounts {
  requests: number;
  /** `"GET 200"` → count; bucket listings (ListObjectsV2 is a GET too) count as `"LIST 200"`. */
  byMethodStatus: Record<string, number>;
  /** Response body bytes of object GETs answered 200 or 206 (what a client actually downloaded). */
  downloadedBytes: number;
  /** Object GETs answered with a body (200/206). */
  downloads: number;
}

/** A running proxy: point a client at `url`; read or reset the counts between phases. */
export interface CountingProxy {
  url: string;
  counts(): TrafficCounts;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a server (an S3-protocol server in tests and benchmarks) that counts
 * requests and downloaded bytes on the wire, independently of the client under test. It forwards requests
 * unchanged (the Host header included, so signatures computed for the proxy's address still match).
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  let counts = empty();
  const server = createServer((req, res) => {
    counts.requests++;
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up: IncomingMessage) => {
      const method = req.method === 'GET' && /[?&]list-type=/.test(req.url ?? '') ? 'LIST' : req.method;
      const key = `${method} ${up.statusCode}`;
      counts.byMethodStatus[key] = (counts.byMethodStatus[key] ?? 0) + 1;
      const isDownload = method === 'GET' && (up.statusCode === 200 || up.statusCode === 206);
      if (isDownload) counts.downloads++;
      up.on('data', (chunk: Buffer) => {
        if (isDownload) counts.downloadedBytes += chunk.length;
      });
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = empty();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function empty(): TrafficCounts {
  return { requests: 0, byMethodStatus: {}, downloadedBytes: 0, downloads: 0 };
}
