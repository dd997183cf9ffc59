// A PATCH whose body the test writes piece by piece (node:http, fresh connection), so it can pause, stop, or kill
// the server at a chosen byte. Resolves with what happened instead of throwing: the fault tests judge it.
import http from 'node:http';

import { delay } from './wait.mjs';
import { TUS_RESUMABLE } from './tus.mjs';

/**
 * @param {object} options
 * @param {string} options.url
 * @param {number} options.offset         Upload-Offset header
 * @param {number} options.length         Content-Length (bytes the body will announce)
 * @param {(start: number, end: number) => Uint8Array} options.bytes  body bytes for absolute upload positions
 * @param {number} [options.pieceSize]    bytes per write
 * @param {number} [options.pauseMs]      pause after each write (throttle)
 * @param {number} [options.stopAt]      stop writing after this many bytes (the body stays unfinished)
 * @param {(written: number) => void} [options.onStop]  called once writing stopped at `stopAt`
 * @param {number} [options.timeoutMs]
 * @returns {Promise<{ status: number|null, headers: object, error: string|null, written: number }>}
 */
export function streamPatch({ url, offset, length, bytes, pieceSize = 64 * 1024, pauseMs = 0, stopAt = Infinity,
  onStop, timeoutMs = 120_000 }) {
  return new Promise((settle) => {
    let written = 0;
    let finished = false;
    let response = null;
    let error = null;
    const request = http.request(url, {
      method: 'PATCH',
      agent: false,
      headers: {
        ...TUS_RESUMABLE,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
        'Content-Length': String(length),
      },
    });
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      settle({ status: response?.statusCode ?? null, headers: response?.headers ?? {}, error, written });
    };
    const timer = setTimeout(() => {
      error = `timed out after ${timeoutMs} ms`;
      request.destroy();
      done();
    }, timeoutMs);
    request.on('response', (incoming) => {
      response = incoming;
      incoming.resume();
      incoming.on('end', done);
      incoming.on('error', done);
    });
    request.on('error', (e) => {
      error = e.code ?? e.message;
      done();
    });
    request.on('close', () => setTimeout(done, 50));

    (async () => {
      while (written < length && written < stopAt && !response && !error) {
        const take = Math.min(pieceSize, length - written, stopAt - written);
        const piece = bytes(offset + written, offset + written + take);
        const flushed = request.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
        written += take;
        if (!flushed) {
          await new Promise((drained) => {
            const resume = () => {
              request.off('drain', resume);
              request.off('close', resume);
              drained();
            };
            request.on('drain', resume);
            request.on('close', resume);
          });
        }
        if (pauseMs > 0) await delay(pauseMs);
      }
      if (written >= length) request.end();
      else if (written >= stopAt) onStop?.(written);
    })().catch((e) => {
      error = e.message;
      request.destroy();
      done();
    });
  });
}
