// Starting, watching and stopping the servers under test, with their peak resident memory.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const MiB_BYTES = 1024 * 1024;

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Peak resident set size of a live process in MiB (the kernel's high-water mark, VmHWM). */
export function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function waitUntilReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with code ${child.exitCode} before it was ready`);
    }

    try {
      const res = await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2000) });
      if (res.status === 204 || res.status === 200) {
        return;
      }
    } catch {
      // Not listening yet.
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  throw new Error(`server at ${url} not ready within ${timeoutMs} ms`);
}

/** Spawns a server, waits for its tus endpoint, and returns a handle with its URL, pid and a stop function. */
export async function startServer({ name, command, args, url, logFile, env }) {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  await waitUntilReady(url, child, 60_000);
  return {
    name,
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) {
        return;
      }

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Spawns a process that has no tus endpoint (a worker), waits until `readyUrl` answers 200 to a GET, and returns
 * a handle with its pid and a stop function that sends SIGTERM (SIGKILL after 30 s).
 */
export async function startProcess({ name, command, args, readyUrl, logFile, env, timeoutMs = 60_000 }) {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with code ${child.exitCode} before it was ready (log: ${logFile})`);
    }

    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        break;
      }
    } catch {
      // Not listening yet.
    }

    if (Date.now() >= deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready at ${readyUrl} within ${timeoutMs} ms (log: ${logFile})`);
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    name,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) {
        return child.exitCode;
      }

      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      child.kill('SIGTERM');
      // The worker gives deliveries in progress up to 20 s on SIGTERM; allow that before killing it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Sectors written to block devices so far (all whole disks and partitions listed in /proc/diskstats). */
function sectorsWritten() {
  return readFileSync('/proc/diskstats', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 9 && !/^(loop|ram)/.test(fields[2]))
    .reduce((sum, fields) => sum + Number(fields[9]), 0);
}

/**
 * Flushes dirty pages and waits until the disks wrote nothing for `quietMs` (at most `timeoutMs`), so that a run
 * does not pay for the writeback of the run before it. Returns the milliseconds waited.
 */
export async function settleDisks({ quietMs = 2000, timeoutMs = 60_000 } = {}) {
  const started = Date.now();
  execFileSync('sync');
  let last = sectorsWritten();
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = sectorsWritten();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }

  return Date.now() - started;
}

/**
 * Touches `bytes` of free memory through the page cache and frees it again. This machine is a VM whose memory the
 * host backs lazily: the first time the guest writes a page costs about ten times a later write (256 MiB into
 * fresh page cache took 0.60 s of system time, into recycled pages 0.06 s), and pages freed for long go back to
 * the host. Without this, a server writing bodies into the page cache measures the hypervisor's page faults as
 * much as itself: freed pages are reused first, so the next `bytes` of page cache either server takes are warm.
 */
export function warmPageCache(dir, bytes) {
  const file = path.join(dir, `warm-${process.pid}.bin`);
  const block = Buffer.alloc(MiB_BYTES, 1);
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) {
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
