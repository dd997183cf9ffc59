// Completion-pipeline benchmark: a burst of completions through the production shape
// (server on the disk store, PostgreSQL ledger, outbox relayed to RabbitMQ, separate TusUpload.Worker processes),
// run once with one worker process and once with two, then a paced "steady load" phase on each.
//
// Usage: node pipeline.mjs [--quick] [--count N] [--steady-count N] [--steady-rate R] [--concurrency C]
//                          [--pg-pool N] [--keep-services] [--keep-logs] [--out DIR]
//   --quick          300 burst completions and 150 steady ones per run instead of 2,000 and 500
//   --steady-rate    uploads/s of the steady phase; default half the server's burst rate of the first run
//   --pg-pool        `Maximum Pool Size` for the server's and workers' connection strings; default unset, i.e.
//                    Npgsql's 100 per process, which with PostgreSQL's default max_connections=100 can refuse
//                    connections ("53300: too many clients") under a burst; the errors row shows whether it did
//   --keep-logs      keep the server and worker logs (they are always kept when the run fails)
//
// Services: the script runs `scripts/services.sh start postgres rabbitmq` itself with a PRIVATE state dir and
// PRIVATE ports, so it never shares a broker or database with a test run on the same machine. Defaults
// (override through the same environment variables services.sh reads): TUS_SERVICES_DIR=/tmp/bench-services,
// TUS_POSTGRES_PORT=55329, TUS_RABBITMQ_PORT=57729, TUS_RABBITMQ_DIST_PORT=57730, TUS_RABBITMQ_EPMD_PORT=57731,
// TUS_RABBITMQ_PROMETHEUS_PORT=57732, TUS_RABBITMQ_CTL_PORT=57733. Services that were already running are left
// running; services it started are stopped at the end unless --keep-services. Each run gets its own database
// and its own exchange and queues, so runs cannot see each other's rows or messages.
//
// Measurement: the client records the wall-clock instant of every final PATCH's 204; after each phase the
// ledger (audit rows, outbox created_at/sent_at) is read with psql. Server, workers, PostgreSQL and this script
// run on the same machine, so both sides read the same clock. Outbox backlog and queue depth are sampled every
// 100 ms through one long-lived psql session. Progress goes to stderr; the markdown table to stdout and to
// results/<stamp>-pipeline.md (raw figures beside it as .json).
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { epochMs, percentile, timedUploads } from './lib/load.mjs';
import { freePort, startProcess, startServer } from './lib/processes.mjs';
import { psqlQuery, psqlSession } from './lib/psql.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    count: { type: 'string' },
    'steady-count': { type: 'string' },
    'steady-rate': { type: 'string' },
    concurrency: { type: 'string', default: '100' },
    'keep-services': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    'pg-pool': { type: 'string' },
    'server-dll': {
      type: 'string',
      default: path.join(repo, 'src/TusUpload.Server/bin/Release/net10.0/TusUpload.Server.dll'),
    },
    'worker-dll': {
      type: 'string',
      default: path.join(repo, 'src/TusUpload.Worker/bin/Release/net10.0/TusUpload.Worker.dll'),
    },
    out: { type: 'string', default: path.join(here, 'results') },
  },
});

const quick = values.quick;
const burstCount = Number(values.count ?? (quick ? 300 : 2000));
const steadyCount = Number(values['steady-count'] ?? (quick ? 150 : 500));
const concurrency = Number(values.concurrency);
const bytes = 256 * 1024;
const poolSetting = values['pg-pool'] ? `;Maximum Pool Size=${Number(values['pg-pool'])}` : '';
const terminalStates = "('available', 'duplicate', 'quarantined', 'failed')";

const privateServices = {
  TUS_SERVICES_DIR: '/tmp/bench-services',
  TUS_POSTGRES_PORT: '55329',
  TUS_RABBITMQ_PORT: '57729',
  TUS_RABBITMQ_DIST_PORT: '57730',
  TUS_RABBITMQ_EPMD_PORT: '57731',
  TUS_RABBITMQ_PROMETHEUS_PORT: '57732',
  TUS_RABBITMQ_CTL_PORT: '57733',
};
const servicesEnv = { ...process.env };
for (const [key, value] of Object.entries(privateServices)) {
  servicesEnv[key] ??= value;
}

const pg = { host: '127.0.0.1', port: Number(servicesEnv.TUS_POSTGRES_PORT), user: 'postgres' };
const rabbitUri = `amqp://guest:guest@127.0.0.1:${servicesEnv.TUS_RABBITMQ_PORT}/`;
const rabbitMetrics = `http://127.0.0.1:${servicesEnv.TUS_RABBITMQ_PROMETHEUS_PORT}/metrics`;
const work = mkdtempSync(path.join(tmpdir(), 'tus-pipeline-bench-'));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const progress = (message) => process.stderr.write(`[pipeline ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function services(command) {
  return execFileSync('bash', [path.join(repo, 'scripts/services.sh'), command, 'postgres', 'rabbitmq'], {
    env: servicesEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000,
  });
}

function servicesRunning() {
  try {
    execFileSync('bash', [path.join(repo, 'scripts/services.sh'), 'status'], {
      env: servicesEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000,
    });
    return { postgres: true, rabbitmq: true };
  } catch (error) {
    // status exits 3 when any service (clamav and s3 included) is stopped; read the lines instead.
    const out = String(error.stdout ?? '');
    return { postgres: /^postgres\s+running/m.test(out), rabbitmq: /^rabbitmq\s+running/m.test(out) };
  }
}

/** Sum of every series of a Prometheus counter or gauge in an exposition text (NaN when absent). */
function metricSum(text, name) {
  let sum = NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
      sum = (Number.isNaN(sum) ? 0 : sum) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }

  return sum;
}

async function scrape(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return await res.text();
  } catch {
    return '';
  }
}

/** Samples outbox backlog, published count and processed count every 100 ms until stopped (bounded to 30 min). */
function startSampler(db) {
  const session = psqlSession({ ...pg, database: db });
  const samples = [];
  let running = true;
  let failure = null;
  const done = (async () => {
    const deadline = Date.now() + 30 * 60_000;
    while (running && Date.now() < deadline) {
      const tick = Date.now();
      try {
        const [unsent, sent, processed] = await session.one(`SELECT
          (SELECT count(*) FROM ledger_outbox WHERE sent_at IS NULL),
          (SELECT count(*) FROM ledger_outbox WHERE sent_at IS NOT NULL),
          (SELECT count(*) FROM ledger_uploads WHERE state IN ${terminalStates});`);
        samples.push({ at: epochMs(), unsent: Number(unsent), sent: Number(sent), processed: Number(processed) });
      } catch (error) {
        failure = String(error.message);
        break;
      }

      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }
  })();
  return {
    samples,
    latest: () => samples[samples.length - 1],
    failure: () => failure,
    async stop() {
      running = false;
      await done;
      await session.close();
    },
  };
}

/** Waits until `total` uploads are terminal; bounded by `timeoutMs`. Returns whether they all got there. */
async function waitProcessed(sampler, total, timeoutMs, label) {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  while (Date.now() < deadline) {
    const latest = sampler.latest();
    if (sampler.failure()) {
      throw new Error(`sampling failed: ${sampler.failure()}`);
    }

    if (latest && latest.processed >= total) {
      return true;
    }

    if (latest && Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      progress(`  ${label}: ${latest.processed}/${total} processed, outbox backlog ${latest.unsent}`);
    }

    await sleep(200);
  }

  progress(`  ${label}: gave up waiting after ${timeoutMs / 1000} s`);
  return false;
}

async function ledgerRows(db) {
  const rows = await psqlQuery({ ...pg, database: db }, `SELECT u.id, u.state,
      extract(epoch FROM o.created_at) * 1000, extract(epoch FROM o.sent_at) * 1000, o.claim_count,
      (SELECT extract(epoch FROM max(a.at)) * 1000 FROM ledger_audit a
        WHERE a.upload_id = u.id AND a.to_state IN ${terminalStates}),
      (SELECT count(*) FROM ledger_audit a WHERE a.upload_id = u.id AND a.to_state IN ${terminalStates}),
      (SELECT extract(epoch FROM min(a.at)) * 1000 FROM ledger_audit a
        WHERE a.upload_id = u.id AND a.to_state = 'processing')
    FROM ledger_uploads u LEFT JOIN ledger_outbox o ON o.upload_id = u.id`);
  const byId = new Map();
  for (const [id, state, createdAt, sentAt, claims, terminalAt, terminalRows, processingAt] of rows) {
    const num = (text) => (text === '' ? NaN : Number(text));
    byId.set(id, {
      state, outboxAt: num(createdAt), sentAt: num(sentAt), claims: num(claims), terminalAt: num(terminalAt),
      terminalRows: num(terminalRows), processingAt: num(processingAt),
    });
  }

  return byId;
}

/** Figures of one phase: the client's uploads joined with their ledger rows and the samples of the window. */
function phaseFigures(run, rows, samples, drained) {
  const joined = run.uploads.map((u) => ({ ...u, ...(rows.get(u.id) ?? { state: 'missing' }) }));
  const done = joined.filter((u) => u.state === 'available' || u.state === 'duplicate');
  const firstStart = Math.min(...joined.map((u) => u.startedAt));
  const firstPatch = Math.min(...joined.map((u) => u.patchDoneAt));
  const lastPatch = Math.max(...joined.map((u) => u.patchDoneAt));
  const lastDone = Math.max(...done.map((u) => u.terminalAt));
  const e2e = done.map((u) => u.terminalAt - u.patchDoneAt);
  // Split at the worker's received → processing audit row, not at the outbox's sent_at: the relay marks a batch
  // sent only after every confirm and its own commit, so a worker often finishes an upload before it is "sent".
  const toWorker = done.map((u) => u.processingAt - u.patchDoneAt);
  const inWorker = done.map((u) => u.terminalAt - u.processingAt);
  const markSent = done.map((u) => u.sentAt - u.patchDoneAt);
  const window = samples.filter((s) => s.at >= firstStart - 100 && s.at <= lastDone + 200);

  // Peak publish rate: most rows marked sent within any 1 s of samples (the relay marks whole batches at once).
  let peakPublish = 0;
  for (let i = 0, j = 0; i < window.length; i += 1) {
    while (window[i].at - window[j].at > 1000) {
      j += 1;
    }

    peakPublish = Math.max(peakPublish, window[i].sent - window[j].sent);
  }

  const firstOutbox = Math.min(...joined.map((u) => u.outboxAt).filter(Number.isFinite));
  const lastSent = Math.max(...joined.map((u) => u.sentAt).filter(Number.isFinite));
  const sentCount = joined.filter((u) => Number.isFinite(u.sentAt)).length;
  return {
    uploads: joined.length,
    uploadErrors: run.errors.length,
    firstUploadError: run.errors[0],
    processed: done.length,
    failedOrQuarantined: joined.filter((u) => u.state === 'failed' || u.state === 'quarantined').length,
    unfinished: joined.filter((u) => !['available', 'duplicate', 'failed', 'quarantined'].includes(u.state)).length,
    drained,
    notExactlyOnce: joined.filter((u) => u.terminalRows !== 1).length,
    reclaimed: joined.filter((u) => u.claims > 1).length,
    serverRate: joined.length / ((lastPatch - firstStart) / 1000),
    pipelineRate: done.length / ((lastDone - firstPatch) / 1000),
    drainLagS: (lastDone - lastPatch) / 1000,
    e2eP50: percentile(e2e, 50),
    e2eP99: percentile(e2e, 99),
    e2eMax: Math.max(...e2e),
    toWorkerP50: percentile(toWorker, 50),
    toWorkerP99: percentile(toWorker, 99),
    inWorkerP50: percentile(inWorker, 50),
    inWorkerP99: percentile(inWorker, 99),
    markSentP50: percentile(markSent, 50),
    markSentP99: percentile(markSent, 99),
    backlogPeak: Math.max(0, ...window.map((s) => s.unsent)),
    queuePeak: Math.max(0, ...window.map((s) => s.sent - s.processed)),
    publishRate: sentCount / ((lastSent - firstOutbox) / 1000),
    peakPublish,
    samples: window.length,
  };
}

async function oneRun(workerCount, steadyRate) {
  const label = `${workerCount}w`;
  const db = `bench_${stamp.replace(/-/g, '_').toLowerCase()}_${label}`;
  const dir = path.join(work, label);
  mkdirSync(dir, { recursive: true });
  progress(`run with ${workerCount} worker process(es): database ${db}`);
  await psqlQuery({ ...pg, database: 'postgres' }, `CREATE DATABASE ${db}`);

  // Production shape, with the exchange and queues named per run so a leftover queue cannot receive our messages.
  const shared = [
    '--Store:Kind=disk', `--Store:Disk:Path=${path.join(dir, 'uploads')}`,
    '--Ledger:Kind=postgres',
    `--Postgres:ConnectionString=Host=127.0.0.1;Port=${pg.port};Username=postgres;Database=${db}${poolSetting}`,
    `--RabbitMq:Uri=${rabbitUri}`,
    `--RabbitMq:Exchange=bench.${stamp}.${label}.events`, `--RabbitMq:Queue=bench.${stamp}.${label}.completed`,
    `--RabbitMq:DeadLetterExchange=bench.${stamp}.${label}.dlx`,
    `--RabbitMq:DeadLetterQueue=bench.${stamp}.${label}.dlq`,
  ];
  const serverPort = await freePort();
  const processes = [];
  let sampler = null;
  try {
    const server = await startServer({
      name: 'TusUpload.Server',
      command: 'dotnet',
      args: [values['server-dll'], '--urls', `http://127.0.0.1:${serverPort}`, '--Pipeline:Queue=rabbitmq',
        '--Worker:InProcess=false', ...shared],
      url: `http://127.0.0.1:${serverPort}/files/`,
      logFile: path.join(work, `server-${label}.log`),
      });
    processes.push(server);
    await waitReady(`http://127.0.0.1:${serverPort}/readyz`);

    const workerMetrics = [];
    for (let i = 0; i < workerCount; i += 1) {
      const metricsPort = await freePort();
      workerMetrics.push(`http://127.0.0.1:${metricsPort}/metrics`);
      processes.push(await startProcess({
        name: `TusUpload.Worker #${i + 1}`,
        command: 'dotnet',
        args: [values['worker-dll'], ...shared, `--Worker:MetricsPort=${metricsPort}`],
        readyUrl: workerMetrics[i],
        logFile: path.join(work, `worker-${label}-${i + 1}.log`),
          }));
    }

    sampler = startSampler(db);
    const base = `http://127.0.0.1:${serverPort}/files/`;

    // Warm-up: JIT, connection pools and the topology declaration stay out of the measured figures.
    const warm = await timedUploads(base, { count: 20, bytes, concurrency: 4, tag: `${stamp}-${label}-warm` });
    if (!(await waitProcessed(sampler, warm.uploads.length, 60_000, 'warm-up'))) {
      throw new Error('warm-up uploads were not processed within 60 s; see the worker logs in ' + work);
    }

    let expected = warm.uploads.length;
    const rabbitBefore = metricSum(await scrape(rabbitMetrics), 'rabbitmq_global_messages_confirmed_total');
    const loadBefore = loadavg()[0];
    progress(`  burst: ${burstCount} × 256 KiB at concurrency ${concurrency} (load ${loadBefore.toFixed(2)})`);
    const burst = await timedUploads(base, {
      count: burstCount, bytes, concurrency, tag: `${stamp}-${label}-burst`,
      onProgress: (n, total) => progress(`  burst: ${n}/${total} uploads completed by the server`),
    });
    expected += burst.uploads.length;
    const burstDrained = await waitProcessed(sampler, expected, 120_000 + burstCount * 150, 'burst');

    const serverBurstRate = burst.uploads.length / burst.seconds;
    const rate = steadyRate ?? Math.max(1, Math.round(serverBurstRate / 2));
    progress(`  steady: ${steadyCount} uploads paced at ${rate}/s`);
    const steady = await timedUploads(base, {
      count: steadyCount, bytes, concurrency, ratePerSecond: rate, tag: `${stamp}-${label}-steady`,
    });
    expected += steady.uploads.length;
    const steadyDrained = await waitProcessed(sampler, expected, 120_000 + steadyCount * 150, 'steady');
    const loadAfter = loadavg()[0];
    const rabbitAfter = metricSum(await scrape(rabbitMetrics), 'rabbitmq_global_messages_confirmed_total');
    const consumed = [];
    for (const url of workerMetrics) {
      consumed.push(metricSum(await scrape(url), 'tus_processing_messages_consumed_total'));
    }

    await sampler.stop();
    const rows = await ledgerRows(db);
    return {
      workers: workerCount,
      steadyRate: rate,
      loadBefore,
      loadAfter,
      rabbitConfirms: rabbitAfter - rabbitBefore,
      consumed,
      burst: phaseFigures(burst, rows, sampler.samples, burstDrained),
      steady: phaseFigures(steady, rows, sampler.samples, steadyDrained),
      samplingFailure: sampler.failure(),
    };
  } finally {
    await sampler?.stop().catch(() => {});
    // Workers first, so the server's relay is not left publishing to a queue nobody drains.
    for (const p of processes.reverse()) {
      const exit = await p.stop();
      if (exit !== undefined && exit !== 0) {
        progress(`  ${p.name} exited with ${exit}`);
      }
    }

    await psqlQuery({ ...pg, database: 'postgres' }, `DROP DATABASE IF EXISTS ${db}`).catch((error) =>
      progress(`  could not drop ${db}: ${error.message}`));
  }
}

async function waitReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) {
        return;
      }
    } catch (error) {
      last = String(error.message);
    }

    await sleep(300);
  }

  throw new Error(`${url} not ready within ${timeoutMs} ms: ${last}`);
}

const fmt = (number, digits = 0) => (Number.isFinite(number) ? number.toFixed(digits) : 'n/a');
const yesNo = (ok) => (ok ? '**yes**' : '**no**');

function table(runs) {
  const col = (f) => runs.map(f);
  const rows = [
    ['Measure', ...col((r) => `${r.workers} worker${r.workers > 1 ? 's' : ''}`), 'Target'],
    [`Burst: uploads completed by the server (upload errors)`,
      ...col((r) => `${r.burst.uploads} (${r.burst.uploadErrors})`), ''],
    ['Server completion rate during the burst, uploads/s', ...col((r) => fmt(r.burst.serverRate, 1)), ''],
    ['Pipeline: completions processed/s (first final PATCH → last available)',
      ...col((r) => fmt(r.burst.pipelineRate, 1)), '≥ server rate'],
    ['Pipeline keeps up (≥ 95 % of the server rate)',
      ...col((r) => yesNo(r.burst.pipelineRate >= 0.95 * r.burst.serverRate)), ''],
    ['Last available after the last 204, s', ...col((r) => fmt(r.burst.drainLagS, 2)), ''],
    ['Burst end-to-end (204 → available) p50 / p99 / max, ms',
      ...col((r) => `${fmt(r.burst.e2eP50)} / ${fmt(r.burst.e2eP99)} / ${fmt(r.burst.e2eMax)}`), ''],
    ['… 204 → a worker starts it (relay + queue) p50 / p99, ms',
      ...col((r) => `${fmt(r.burst.toWorkerP50)} / ${fmt(r.burst.toWorkerP99)}`), ''],
    ['… worker start → available p50 / p99, ms',
      ...col((r) => `${fmt(r.burst.inWorkerP50)} / ${fmt(r.burst.inWorkerP99)}`), ''],
    ['204 → outbox row marked sent (after the batch\'s confirms) p50 / p99, ms',
      ...col((r) => `${fmt(r.burst.markSentP50)} / ${fmt(r.burst.markSentP99)}`), ''],
    ['Outbox backlog peak (unsent rows, 100 ms samples)', ...col((r) => fmt(r.burst.backlogPeak)), ''],
    ['Queue peak (rows marked sent, not yet processed: a lower bound)', ...col((r) => fmt(r.burst.queuePeak)), ''],
    ['RabbitMQ publish rate, msgs/s (first outbox row → last marked sent)',
      ...col((r) => fmt(r.burst.publishRate, 1)), ''],
    ['RabbitMQ publish rate, peak in 1 s (rows marked sent)', ...col((r) => fmt(r.burst.peakPublish)), ''],
    ['Steady: uploads paced at, uploads/s', ...col((r) => String(r.steadyRate)), ''],
    ['Steady end-to-end p50 / p99 / max, ms',
      ...col((r) => `${fmt(r.steady.e2eP50)} / ${fmt(r.steady.e2eP99)} / ${fmt(r.steady.e2eMax)}`), 'p99 < 1000'],
    ['Steady p99 under 1 s', ...col((r) => yesNo(r.steady.e2eP99 < 1000)), ''],
    ['Errors: upload errors / failed or quarantined / unfinished / not exactly once',
      ...col((r) => [r.burst, r.steady].map((p) => `${p.uploadErrors}/${p.failedOrQuarantined}/${p.unfinished}/`
        + `${p.notExactlyOnce}`).join(' · ')), '0'],
    ['Outbox rows claimed more than once (burst · steady)',
      ...col((r) => `${r.burst.reclaimed} · ${r.steady.reclaimed}`), ''],
    ['RabbitMQ publisher confirms (prometheus delta, burst + steady)', ...col((r) => fmt(r.rabbitConfirms)), ''],
    ['Messages consumed per worker (incl. warm-up)', ...col((r) => r.consumed.map((n) => fmt(n)).join(' + ')), ''],
    ['Load average (1 min) before → after', ...col((r) => `${fmt(r.loadBefore, 2)} → ${fmt(r.loadAfter, 2)}`), ''],
  ];
  const lines = [`| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => '---').join('|')}|`];
  for (const row of rows.slice(1)) {
    lines.push(`| ${row.join(' | ')} |`);
  }

  return lines.join('\n');
}

let startedServices = { postgres: false, rabbitmq: false };
let succeeded = false;
try {
  const before = servicesRunning();
  progress(`services (state ${servicesEnv.TUS_SERVICES_DIR}, postgres :${pg.port}, rabbitmq `
    + `:${servicesEnv.TUS_RABBITMQ_PORT}): starting where needed`);
  services('start');
  startedServices = { postgres: !before.postgres, rabbitmq: !before.rabbitmq };

  const runs = [];
  let steadyRate = values['steady-rate'] ? Number(values['steady-rate']) : undefined;
  for (const workers of [1, 2]) {
    const run = await oneRun(workers, steadyRate);
    steadyRate = run.steadyRate;
    runs.push(run);
  }

  const cores = cpus().length;
  const markdown = `# Pipeline benchmark, ${new Date().toISOString()}${quick ? ' (quick)' : ''}\n\n`
    + `${burstCount} burst completions of 256 KiB (distinct content) at concurrency ${concurrency}, then `
    + `${steadyCount} paced ones; server + worker processes, PostgreSQL ledger, RabbitMQ, disk store, `
    + `ClamAV off; Npgsql pool ${values['pg-pool'] ? `max ${values['pg-pool']}` : 'Postgres:MaxPoolSize default (20)'} per process; `
    + `${cores} cores.\n\n${table(runs)}\n`;
  mkdirSync(values.out, { recursive: true });
  writeFileSync(path.join(values.out, `${stamp}-pipeline.md`), markdown);
  writeFileSync(path.join(values.out, `${stamp}-pipeline.json`), JSON.stringify(runs, null, 2));
  console.log(markdown);
  succeeded = true;
} finally {
  const toStop = Object.entries(startedServices).filter(([, started]) => started).map(([name]) => name);
  if (toStop.length > 0 && !values['keep-services']) {
    progress(`stopping the services this script started: ${toStop.join(' ')}`);
    try {
      execFileSync('bash', [path.join(repo, 'scripts/services.sh'), 'stop', ...toStop], {
        env: servicesEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000,
      });
    } catch (error) {
      progress(`stopping services failed: ${error.message}`);
    }
  }

  // Keep the server and worker logs when something went wrong; they are the only record of why.
  if (succeeded && !values['keep-logs']) {
    rmSync(work, { recursive: true, force: true });
  } else {
    progress(`server and worker logs kept in ${work}`);
  }
}
