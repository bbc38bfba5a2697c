import { createServer } from 'node:http';

/** A loopback HTTP server of fixed files (path → bytes) that counts the requests it gets. */
export interface FileServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly files: Map<string, Buffer | string>;
  requests: number;
  close(): Promise<void>;
}

export async function serveFiles(files: Map<string, Buffer | string> = new Map()): Promise<FileServer> {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    const body = files.get(req.url ?? '');
    if (body !== undefined) res.writeHead(200).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    files,
    get requests() { return state.requests; },
    set requests(n: number) { state.requests = n; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
