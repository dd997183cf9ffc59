// Starts the real, built TusUpload server as a child process on 127.0.0.1, with its own temp data dir, and can
// kill -9 it and start it again on the same port and data. Every wait is bounded; output goes to a log file whose
// tail is attached to failures.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import http from 'node:http';

import { delay } from './wait.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..', '..');

export const SERVER_DLL =
  process.env.TUS_SERVER_DLL ??
  join(REPO_ROOT, 'src/TusUpload.Server/bin/Release/net10.0/TusUpload.Server.dll');

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** Throws a clear message when the server has not been built. */
export function requireServerDll() {
  if (!existsSync(SERVER_DLL)) {
    throw new Error(
      `The server is not built: ${SERVER_DLL} does not exist. Run scripts/test.sh ` +
        '(or `dotnet build src/TusUpload.Server -c Release`), or point TUS_SERVER_DLL at a built TusUpload.Server.dll.',
    );
  }
}

/** A free TCP port on 127.0.0.1 (bound once to port 0, then released). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

function optionsStatus(url, timeoutMs) {
  return new Promise((done) => {
    const request = http.request(url, { method: 'OPTIONS', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode));
      response.on('error', () => done(0));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => done(0));
    request.end();
  });
}

export class TusServer {
  /**
   * @param {object} options
   * @param {string} options.name   label for the temp dir and log
   * @param {Record<string, string>} [options.settings]  extra configuration, passed as `--Key=value` args
   */
  constructor({ name, settings = {} }) {
    this.name = name;
    this.settings = settings;
    this.root = mkdtempSync(join(tmpdir(), `tus-clients-${name}-`));
    this.dataDir = join(this.root, 'uploads');
    mkdirSync(this.dataDir);
    this.logPath = join(this.root, 'server.log');
    this.port = 0;
    this.process = null;
    this.exit = null;
    this.starts = 0;
  }

  /** Creates a server and starts it, removing its temp dir again if it does not come up. */
  static async start(options) {
    requireServerDll();
    // Another process may take the probed port before the server binds it; only that case is retried.
    for (let attempt = 1; ; attempt++) {
      const server = new TusServer(options);
      try {
        server.port = await freePort();
        await server.launch();
        return server;
      } catch (error) {
        const portTaken = /address already in use/i.test(server.logTail());
        await server.dispose();
        if (!portTaken || attempt === 3) throw error;
      }
    }
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  get endpoint() {
    return `${this.baseUrl}/files/`;
  }

  args() {
    const settings = {
      'Store:Disk:Path': this.dataDir,
      'Ledger:Path': join(this.root, 'ledger.db'),
      ...this.settings,
    };
    return [
      SERVER_DLL,
      `--contentRoot=${dirname(SERVER_DLL)}`,
      `--urls=${this.baseUrl}`,
      ...Object.entries(settings).map(([key, value]) => `--${key}=${value}`),
    ];
  }

  /** Spawns the process on this.port and waits (bounded) until OPTIONS /files/ answers 204. */
  async launch() {
    this.starts += 1;
    const log = openSync(this.logPath, 'a');
    const child = spawn('dotnet', this.args(), {
      // A relative default path (./data/...) of any component then lands inside this server's temp dir.
      cwd: this.root,
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.process = child;
    this.exit = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    child.once('error', () => {});

    const deadline = Date.now() + START_TIMEOUT_MS;
    let exited = null;
    this.exit.then((result) => {
      exited = result;
    });
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(
          `server (start #${this.starts}) exited before it was ready: ` +
            `code ${exited.code}, signal ${exited.signal}\n${this.logTail()}`,
        );
      }
      if ((await optionsStatus(this.endpoint, 2_000)) === 204) return;
      await delay(100);
    }
    await this.kill9();
    throw new Error(
      `server (start #${this.starts}) did not answer OPTIONS ${this.endpoint} with 204 within ` +
        `${START_TIMEOUT_MS} ms\n${this.logTail()}`,
    );
  }

  /** SIGKILL, the crash we test against; waits (bounded) until the process is gone. */
  async kill9() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await Promise.race([this.exit, delay(STOP_TIMEOUT_MS)]);
  }

  /** Starts the server again on the same port and data dir (after kill9 or stop). */
  async restart() {
    await this.kill9();
    await this.launch();
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it takes longer than the stop timeout. */
  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const result = await Promise.race([this.exit, delay(STOP_TIMEOUT_MS).then(() => null)]);
    if (result === null) await this.kill9();
  }

  /** Stops the process and removes the temp dir (data, ledger, log). Safe to call more than once. */
  async dispose() {
    await this.stop();
    if (process.env.TUS_KEEP_TEST_DATA) return;
    rmSync(this.root, { recursive: true, force: true });
  }

  logTail(lines = 60) {
    try {
      const text = readFileSync(this.logPath, 'utf8').trimEnd().split('\n');
      return `--- last ${Math.min(lines, text.length)} lines of ${this.logPath} ---\n${text.slice(-lines).join('\n')}`;
    } catch {
      return `(no server log at ${this.logPath})`;
    }
  }
}
