// Plain-HTTP tus requests (no client library) for setting up and checking uploads, with a timeout on each.
import { createHash } from 'node:crypto';
import http from 'node:http';

import { delay } from './wait.mjs';

export const TUS_RESUMABLE = { 'Tus-Resumable': '1.0.0' };
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One request with a fresh connection. Resolves to { status, headers, body } (body as a Buffer) or rejects on a
 * network error or after `timeoutMs`.
 */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  return new Promise((resolveResponse, reject) => {
    const outgoing = http.request(url, { method, headers, agent: false }, (response) => {
      const pieces = [];
      response.on('data', (piece) => pieces.push(piece));
      response.on('end', () => {
        clearTimeout(timer);
        resolveResponse({ status: response.statusCode, headers: response.headers, body: Buffer.concat(pieces) });
      });
      response.on('error', reject);
    });
    const timer = setTimeout(
      () => outgoing.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(body);
  });
}

/** HEAD an upload: { status, offset (number or null), length (number or null), headers }. */
export async function headUpload(url) {
  const response = await request(url, { method: 'HEAD', headers: TUS_RESUMABLE });
  const offset = response.headers['upload-offset'];
  const length = response.headers['upload-length'];
  return {
    status: response.status,
    offset: offset === undefined ? null : Number(offset),
    length: length === undefined ? null : Number(length),
    headers: response.headers,
  };
}

/** POST a new upload of `length` bytes; returns its absolute URL. */
export async function createUpload(endpoint, length, extraHeaders = {}) {
  const response = await request(endpoint, {
    method: 'POST',
    headers: { ...TUS_RESUMABLE, 'Upload-Length': String(length), ...extraHeaders },
  });
  if (response.status !== 201 || !response.headers.location) {
    throw new Error(`POST ${endpoint} answered ${response.status} (Location ${response.headers.location}); ` +
      `expected 201 with Location. Body: ${response.body.toString('utf8').slice(0, 300)}`);
  }
  return new URL(response.headers.location, endpoint).href;
}

/** PATCH a whole buffer at `offset`; resolves to the response. */
export function patchUpload(url, offset, body) {
  return request(url, {
    method: 'PATCH',
    headers: {
      ...TUS_RESUMABLE,
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(offset),
      'Content-Length': String(body.length),
    },
    body,
  });
}

/**
 * GET-downloads an upload and returns { sha256, size, headers, body } (body only with keepBody). The server may
 * answer 4xx (409) while the completion pipeline is still processing the upload, so this polls until 200, for at
 * most `timeoutMs`. 404 and 5xx fail at once.
 */
export async function downloadSha256(url, { timeoutMs = 60_000, keepBody = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const result = await new Promise((done, reject) => {
      const outgoing = http.get(url, { agent: false }, (response) => {
        if (response.statusCode !== 200) {
          const pieces = [];
          response.on('data', (piece) => pieces.push(piece));
          response.on('end', () => done({ status: response.statusCode, text: Buffer.concat(pieces).toString() }));
          return;
        }
        const hash = createHash('sha256');
        const pieces = [];
        let size = 0;
        response.on('data', (piece) => {
          size += piece.length;
          hash.update(piece);
          if (keepBody) pieces.push(piece);
        });
        response.on('end', () => done({
          status: 200,
          sha256: hash.digest('hex'),
          size,
          headers: response.headers,
          body: keepBody ? Buffer.concat(pieces) : null,
        }));
        response.on('error', reject);
      });
      outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error(`GET ${url} timed out`)));
      outgoing.on('error', reject);
    });
    if (result.status === 200) return result;
    if (result.status >= 500 || result.status === 404) {
      throw new Error(`GET ${url} answered ${result.status}: ${result.text.slice(0, 300)}`);
    }
    last = `${result.status} ${result.text.slice(0, 200)}`;
    await delay(250);
  }
  throw new Error(`GET ${url} did not answer 200 within ${timeoutMs} ms; last answer: ${last}`);
}
