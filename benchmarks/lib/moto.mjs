// A private moto S3 server on a free loopback port, for the S3 scenario. With `count: true` the servers talk to a
// small counting reverse proxy in front of moto (also on 127.0.0.1), which tallies every S3 request by bucket and
// operation with its body bytes in each direction, so both servers' S3 traffic per upload can be compared.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { freePort } from './processes.mjs';

/** Names the S3 operation of a path-style request from its method, query and copy header. */
export function operationOf(method, url, headers) {
  const { pathname, searchParams } = new URL(url, 'http://s3.invalid');
  const hasKey = pathname.split('/').filter(Boolean).length > 1;
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'PUT':
      if (!hasKey) return 'CreateBucket';
      if (searchParams.has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (searchParams.has('uploads')) return 'CreateMultipartUpload';
      if (searchParams.has('uploadId')) return 'CompleteMultipartUpload';
      if (searchParams.has('delete')) return 'DeleteObjects';
      return 'POST';
    case 'GET':
      if (!hasKey) return searchParams.has('uploads') ? 'ListMultipartUploads' : 'ListObjects';
      return searchParams.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'HeadBucket';
    case 'DELETE':
      if (searchParams.has('uploadId')) return 'AbortMultipartUpload';
      return hasKey ? 'DeleteObject' : 'DeleteBucket';
    default:
      return method;
  }
}

/** CPU time (user + system, in clock ticks) the process has used so far. */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function bucketOf(url) {
  return new URL(url, 'http://s3.invalid').pathname.split('/').filter(Boolean)[0] ?? '';
}

/** Forwards every request to moto unchanged and counts it; moto does not check signatures, so Host may differ. */
async function startCountingProxy(targetPort) {
  const port = await freePort();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const tallies = new Map();
  let lastRequestAt = Date.now();
  let inFlight = 0;

  const tally = (bucket, operation) => {
    const key = `${bucket}\u0000${operation}`;
    let entry = tallies.get(key);
    if (!entry) {
      entry = { bucket, operation, requests: 0, bytesIn: 0, bytesOut: 0, milliseconds: 0 };
      tallies.set(key, entry);
    }

    return entry;
  };

  const server = http.createServer((req, res) => {
    lastRequestAt = Date.now();
    inFlight += 1;
    const entry = tally(bucketOf(req.url), operationOf(req.method, req.url, req.headers));
    entry.requests += 1;
    const started = process.hrtime.bigint();
    res.on('close', () => {
      entry.milliseconds += Number(process.hrtime.bigint() - started) / 1e6;
      inFlight -= 1;
      lastRequestAt = Date.now();
    });
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.on('data', (chunk) => {
          entry.bytesOut += chunk.length;
        });
        answer.pipe(res);
      },
    );
    upstream.setTimeout(120_000, () => upstream.destroy(new Error('moto did not answer within 120 s')));
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk) => {
      entry.bytesIn += chunk.length;
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${port}`,
    /** Every tally of one bucket as { operation: { requests, bytesIn, bytesOut, milliseconds } }; forgets them. */
    take(bucket) {
      const result = {};
      for (const [key, entry] of tallies) {
        if (entry.bucket === bucket) {
          const { requests, bytesIn, bytesOut, milliseconds } = entry;
          result[entry.operation] = { requests, bytesIn, bytesOut, milliseconds };
          tallies.delete(key);
        }
      }

      return result;
    },
    /** Waits until no request ran for `quietMs` (work after the last 204, e.g. hashing), at most `maxMs`. */
    async settle(quietMs = 1500, maxMs = 60_000) {
      const deadline = Date.now() + maxMs;
      while ((inFlight > 0 || Date.now() - lastRequestAt < quietMs) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function startMoto({ count = false } = {}) {
  const port = await freePort();
  const motoUrl = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(motoUrl, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const counter = count ? await startCountingProxy(port) : null;
  return {
    url: counter?.url ?? motoUrl,
    counter,
    /** Forgets every bucket and object (moto's own reset), so each server starts on an empty, small moto. */
    async reset() {
      const res = await fetch(`${motoUrl}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
      if (!res.ok) {
        throw new Error(`could not reset moto: ${res.status}`);
      }
    },
    async createBucket(name) {
      const res = await fetch(`${motoUrl}/${name}`, { method: 'PUT', signal: AbortSignal.timeout(10_000) });
      if (!res.ok && res.status !== 409) {
        throw new Error(`could not create bucket ${name}: ${res.status}`);
      }
    },
    /**
     * Waits until moto has been idle (under 10 % of a core) for two samples of 500 ms, at most `maxMs`: a server's
     * work after its last 204 (our worker reading and copying an upload) must not run into the next measurement.
     */
    async waitIdle(maxMs = 60_000) {
      const deadline = Date.now() + maxMs;
      let quiet = 0;
      let before = cpuTicks(child.pid);
      while (quiet < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const now = cpuTicks(child.pid);
        quiet = now - before < 5 ? quiet + 1 : 0;
        before = now;
      }
    },
    async stop() {
      await counter?.stop();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}
