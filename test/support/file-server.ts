import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A loopback HTTP server of fixed files (path → bytes) that counts the requests it gets. */
export interface FileServer {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  readonly base: string;
  readonly files: Map<string, Buffer | string>;
  requests: number;
  close(): Promise<void>;
}

/** With `tls` (PEM key and certificate), it serves https. */
export async function serveFiles(files: Map<string, Buffer | string> = new Map(), tls?: { readonly key: string; readonly cert: string }): Promise<FileServer> {
  const state = { requests: 0 };
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    state.requests++;
    const body = files.get(req.url ?? '');
    if (body !== undefined) res.writeHead(200).end(body);
    else res.writeHead(404).end();
  };
  const server = tls ? createTlsServer(tls, answer) : createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}`,
    files,
    get requests() { return state.requests; },
    set requests(n: number) { state.requests = n; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
