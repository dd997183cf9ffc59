// A tiny static file server on 127.0.0.1 for the browser pages: another port, so another origin than the tus
// server's. Serves only the files named in `routes`.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import { freePort } from './server.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * @param {Record<string, string>} routes  URL path → file path
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function startStaticServer(routes) {
  const port = await freePort();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url, 'http://127.0.0.1').pathname;
    const file = routes[path];
    if (request.method !== 'GET' || !file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(readFileSync(file));
  });
  await new Promise((listening, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', listening);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
