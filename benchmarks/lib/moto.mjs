// A private moto S3 server on a free loopback port, for the S3 scenario.
import { spawn } from 'node:child_process';
import { freePort } from './processes.mjs';

export async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  return {
    url,
    async createBucket(name) {
      const res = await fetch(`${url}/${name}`, { method: 'PUT' });
      if (!res.ok && res.status !== 409) {
        throw new Error(`could not create bucket ${name}: ${res.status}`);
      }
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}
