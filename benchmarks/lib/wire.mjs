// One keep-alive HTTP/1.1 connection written and read by hand, for the load drivers.
//
// Why not node:http: its client spent 0.65 ms of user CPU per spike upload (a POST and a 256 KiB PATCH), as much
// as a third of what the server under test spends, on the same two cores. Every millisecond the driver takes is
// taken from the server, and more from the one that can use both cores, so the driver flattened the ratios it was
// there to measure. This client does only what the drivers need: requests with a fixed set of headers and a body
// from Buffers, answers framed by Content-Length or chunked encoding, one request at a time per connection.
import net from 'node:net';

const headEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\r\n');

/** Answers that never carry a body, whatever their headers say (RFC 9112, section 6.3). */
function hasNoBody(method, status) {
  return method === 'HEAD' || status === 204 || status === 304;
}

export class WireConnection {
  #origin;
  #host;
  #port;
  #socket = null;
  #received = Buffer.alloc(0);
  #pending = null;

  /** `origin` is the URL of the server; every request of this connection goes to its host and port. */
  constructor(origin) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') {
      throw new Error(`only http: is spoken here, not ${url.protocol}`);
    }

    this.#origin = url;
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
  }

  /**
   * Sends one request and resolves with `{ status, headers }` (header names in lower case) once the whole answer,
   * body included, has arrived. `body` is a Buffer, an array of Buffers sent back to back, or undefined; with
   * `source`, an async iterable of Buffers, the body is streamed with back-pressure instead.
   */
  async request(method, target, headers, { body, source, timeoutMs = 600_000 } = {}) {
    if (this.#pending) {
      throw new Error('one request at a time per connection');
    }

    if (!this.#socket) {
      await this.#connect();
    }

    const lines = [`${method} ${target} HTTP/1.1`, `Host: ${this.#origin.host}`];
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`${name}: ${value}`);
    }

    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const answer = new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`${method} ${target} timed out`)), timeoutMs);
      this.#pending = {
        method,
        resolve: (value) => { clearTimeout(timer); resolve(value); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
    });

    // A rejection that arrives while the body is still being written must not go unhandled.
    answer.catch(() => {});
    const socket = this.#socket;
    socket.cork();
    socket.write(head);
    for (const part of body === undefined ? [] : [body].flat()) {
      socket.write(part);
    }

    socket.uncork();
    if (source) {
      await this.#stream(socket, source);
    }

    return answer;
  }

  /** The server's URL this connection was made for. */
  get origin() {
    return this.#origin;
  }

  close() {
    this.#socket?.destroy();
    this.#socket = null;
  }

  async #connect() {
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });

    socket.on('data', (chunk) => {
      this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
      this.#parse();
    });
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the server closed the connection')));
    this.#socket = socket;
    this.#received = Buffer.alloc(0);
  }

  async #stream(socket, source) {
    for await (const part of source) {
      // The connection failed, or the server answered before taking the whole body (a refusal): stop sending.
      if (this.#socket !== socket || this.#pending === null) {
        return;
      }

      if (!socket.write(part)) {
        await new Promise((resolve) => {
          const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
  }

  #fail(error) {
    const pending = this.#pending;
    this.#pending = null;
    this.#socket?.destroy();
    this.#socket = null;
    pending?.reject(error);
  }

  #parse() {
    if (!this.#pending) {
      if (this.#received.length > 0) {
        this.#fail(new Error('the server sent bytes nobody asked for'));
      }

      return;
    }

    const end = this.#received.indexOf(headEnd);
    if (end < 0) {
      return;
    }

    const lines = this.#received.toString('latin1', 0, end).split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!statusLine) {
      this.#fail(new Error(`not an HTTP answer: ${JSON.stringify(lines[0].slice(0, 80))}`));
      return;
    }

    const status = Number(statusLine[1]);
    if (status >= 100 && status < 200) {
      // An interim answer (no request here asks for one): the final answer follows it.
      this.#received = this.#received.subarray(end + headEnd.length);
      this.#parse();
      return;
    }

    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }

    let bodyEnd;
    try {
      bodyEnd = this.#bodyEnd(this.#pending.method, status, headers, end + headEnd.length);
    } catch (error) {
      this.#fail(error);
      return;
    }

    if (bodyEnd === undefined) {
      return;
    }

    this.#received = this.#received.subarray(bodyEnd);
    const pending = this.#pending;
    this.#pending = null;
    if ((headers.connection ?? '').toLowerCase() === 'close') {
      this.close();
    }

    pending.resolve({ status, headers });
  }

  /** Where the answer whose body starts at `start` ends, or undefined while it has not all arrived. */
  #bodyEnd(method, status, headers, start) {
    if (hasNoBody(method, status)) {
      return start;
    }

    if ((headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') {
      let at = start;
      for (;;) {
        const eol = this.#received.indexOf(lineEnd, at);
        if (eol < 0) {
          return undefined;
        }

        const size = parseInt(this.#received.toString('latin1', at, eol), 16);
        if (Number.isNaN(size)) {
          throw new Error('a chunk without a size');
        }

        if (size === 0) {
          // The last chunk is followed by optional trailer lines and an empty line.
          const trailerEnd = this.#received.indexOf(headEnd, eol);
          return trailerEnd < 0 ? undefined : trailerEnd + headEnd.length;
        }

        if (this.#received.length < eol + lineEnd.length + size + lineEnd.length) {
          return undefined;
        }

        at = eol + lineEnd.length + size + lineEnd.length;
      }
    }

    const length = Number(headers['content-length'] ?? 0);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new Error(`a Content-Length of ${headers['content-length']}`);
    }

    return this.#received.length >= start + length ? start + length : undefined;
  }
}
