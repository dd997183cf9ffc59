// PostgreSQL access for the benchmarks through the psql client, so the harness needs no npm driver.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs one SQL text with psql and resolves to its rows, each an array of fields (unaligned, `|`-separated). */
export function psqlQuery({ host, port, user, database }, sql, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    execFile('psql', ['-h', host, '-p', String(port), '-U', user, '-d', database, '-qtAX', '-F', '|',
      '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`psql failed: ${stderr.trim() || error.message}`));
        return;
      }

      resolve(stdout.split('\n').filter((line) => line.length > 0).map((line) => line.split('|')));
    });
  });
}

/**
 * One long-lived psql session for sampling every 100 ms: starting psql for each sample would cost more CPU than
 * the query on a 2-core machine and disturb what is measured. Every query must print exactly one line.
 */
export function psqlSession({ host, port, user, database }) {
  const child = spawn('psql', ['-h', host, '-p', String(port), '-U', user, '-d', database, '-qtAX', '-F', '|'],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    waiting.shift()?.resolve(line.split('|'));
  });
  child.on('exit', () => {
    for (const w of waiting.splice(0)) {
      w.reject(new Error(`psql session ended: ${stderr.trim()}`));
    }
  });

  return {
    /** Resolves to the one row the query prints; rejects after `timeoutMs` so a stuck database cannot hang us. */
    one(sql, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const entry = { resolve, reject };
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`psql session ended: ${stderr.trim()}`));
          return;
        }

        waiting.push(entry);
        child.stdin.write(`${sql.replace(/\s+/g, ' ').trim()}\n`);
        // A late answer would be taken for the next query's, so a timeout ends the session for good.
        setTimeout(() => {
          if (waiting.includes(entry)) {
            child.kill('SIGKILL');
            reject(new Error(`psql session: no answer within ${timeoutMs} ms`));
          }
        }, timeoutMs);
      });
    },
    close() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve();
      }

      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      return new Promise((resolve) => child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      }));
    },
  };
}
