// Load drivers that speak plain tus 1.0.0 over keep-alive HTTP, the same way for every server under test.
import http from 'node:http';
import { randomFillSync } from 'node:crypto';

const MiB = 1024 * 1024;

/** One random MiB, reused as the body pattern so that generating data costs nothing measurable. */
const pattern = randomFillSync(Buffer.alloc(MiB));

function request(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(600_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    if (body === undefined) {
      req.end();
      return;
    }

    writeBody(req, body).catch(reject);
  });
}

async function writeBody(req, totalBytes) {
  let left = totalBytes;
  while (left > 0) {
    const n = Math.min(left, pattern.length);
    left -= n;
    if (!req.write(n === pattern.length ? pattern : pattern.subarray(0, n))) {
      await new Promise((resolve) => req.once('drain', resolve));
    }
  }

  req.end();
}

async function createUpload(agent, baseUrl, length) {
  const res = await request(agent, baseUrl, 'POST', {
    'Tus-Resumable': '1.0.0',
    'Upload-Length': String(length),
    'Content-Length': '0',
  });
  if (res.status !== 201 || !res.headers.location) {
    throw new Error(`POST answered ${res.status}`);
  }

  return new URL(res.headers.location, baseUrl).toString();
}

async function patchUpload(agent, uploadUrl, offset, length) {
  const res = await request(agent, uploadUrl, 'PATCH', {
    'Tus-Resumable': '1.0.0',
    'Upload-Offset': String(offset),
    'Content-Type': 'application/offset+octet-stream',
    'Content-Length': String(length),
  }, length);
  if (res.status !== 204 || Number(res.headers['upload-offset']) !== offset + length) {
    throw new Error(`PATCH answered ${res.status} with offset ${res.headers['upload-offset']}`);
  }
}

/** One upload of `bytes` sent as a single PATCH; returns seconds from the PATCH's start to its 204. */
export async function singlePatch(baseUrl, bytes) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = await createUpload(agent, baseUrl, bytes);
    const started = process.hrtime.bigint();
    await patchUpload(agent, url, 0, bytes);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    agent.destroy();
  }
}

/** One upload sent as PATCHes of `chunkBytes`, as tus-js-client does with `chunkSize`; returns seconds. */
export async function chunkedUpload(baseUrl, bytes, chunkBytes) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const started = process.hrtime.bigint();
    const url = await createUpload(agent, baseUrl, bytes);
    for (let offset = 0; offset < bytes; offset += chunkBytes) {
      await patchUpload(agent, url, offset, Math.min(chunkBytes, bytes - offset));
    }

    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    agent.destroy();
  }
}

/**
 * A spike of `count` uploads of `bytes` each (POST then one PATCH, as tus-js-client does by default), at most
 * `concurrency` at once. Returns wall time, per-upload latencies in ms and the errors seen.
 */
export async function spike(baseUrl, count, bytes, concurrency, onProgress) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const errors = [];
  let next = 0;
  const started = process.hrtime.bigint();

  async function lane() {
    while (next < count) {
      next += 1;
      const t0 = process.hrtime.bigint();
      try {
        const url = await createUpload(agent, baseUrl, bytes);
        await patchUpload(agent, url, 0, bytes);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        errors.push(String(error.message ?? error));
      }

      if ((latencies.length + errors.length) % 100 === 0) {
        onProgress?.(latencies.length + errors.length, count);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, lane));
  agent.destroy();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, latencies, errors };
}

export function percentile(values, p) {
  if (values.length === 0) {
    return NaN;
  }

  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export { MiB };
