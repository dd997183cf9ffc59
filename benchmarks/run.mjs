// Runs TusUpload and @tus/server side by side on this machine and reports the figures as ratios.
// Usage: node run.mjs [--scenario disk|s3] [--quick] [--count-s3] [--server-dll PATH] [--out DIR]
// --count-s3 puts a counting proxy between the servers and moto and adds a table of S3 requests and bytes per
// upload (the proxy costs both servers a little time per request, so throughput runs leave it out).
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkedUpload, MiB, percentile, singlePatch, spike } from './lib/load.mjs';
import { freePort, peakRssMiB, settleDisks, startServer, warmPageCache } from './lib/processes.mjs';
import { startMoto } from './lib/moto.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'disk' },
    quick: { type: 'boolean', default: false },
    'count-s3': { type: 'boolean', default: false },
    'server-dll': {
      type: 'string',
      default: path.join(here, '../src/TusUpload.Server/bin/Release/net10.0/TusUpload.Server.dll'),
    },
    out: { type: 'string', default: path.join(here, 'results') },
  },
});

const quick = values.quick;
const progress = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

// A run deletes thousands of files when it ends. On ext4 without a journal (this machine's root file system) the
// kernel does not reuse an inode within a minute of its deletion, or six minutes while its inode table block is
// dirty, and every file created meanwhile scans past all of them first. The next run's own creations dirty those
// blocks again, so the six minutes are what counts: a spike 130 s after a run's clean-up ran at 767 uploads/s with
// a p99 of 225 ms (perf: recently_deleted and find_inode_bit, 18 % of the server's samples), the same spike 400 s
// after it at 1,225 uploads/s with a p99 of 118 ms. That costs most the server that is bound by CPU rather than by
// one thread, and it comes and goes within a run. So a run waits out the whole window after the previous one.
const deletedStamp = path.join(tmpdir(), 'tus-bench-deleted-at');
const settleMs = 400_000;

async function waitForDeletedInodes() {
  let deletedAt;
  try {
    deletedAt = statSync(deletedStamp).mtimeMs;
  } catch {
    return;
  }

  const wait = deletedAt + settleMs - Date.now();
  if (wait > 0) {
    progress(`waiting ${Math.ceil(wait / 1000)} s: the previous run deleted its files less than 400 s ago`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

await waitForDeletedInodes();
const work = mkdtempSync(path.join(tmpdir(), 'tus-bench-'));

function median(numbers) {
  return percentile(numbers, 50);
}

function ddBaseline(bytesMiB) {
  const target = path.join(work, 'dd.bin');
  const output = execFileSync('dd', ['if=/dev/zero', `of=${target}`, 'bs=1M', `count=${bytesMiB}`, 'conv=fdatasync'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  rmSync(target, { force: true });
  return output;
}

function measureDd(bytesMiB) {
  warmPageCache(work, (bytesMiB + 64) * MiB);
  const started = process.hrtime.bigint();
  ddBaseline(bytesMiB);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (bytesMiB * MiB) / seconds / 1e6;
}

async function ours(extraArgs, label) {
  const port = await freePort();
  const dir = path.join(work, `ours-${label}-${port}`);
  mkdirSync(dir, { recursive: true });
  return startServer({
    name: 'TusUpload',
    command: 'dotnet',
    args: [
      values['server-dll'],
      '--urls', `http://127.0.0.1:${port}`,
      `--Store:Disk:Path=${path.join(dir, 'uploads')}`,
      `--Ledger:Path=${path.join(dir, 'ledger.db')}`,
      '--Logging:LogLevel:Default=Warning',
      ...extraArgs,
    ],
    url: `http://127.0.0.1:${port}/files/`,
    logFile: path.join(work, `ours-${label}-${port}.log`),
  });
}

async function peer(extraArgs, label) {
  const port = await freePort();
  const dir = path.join(work, `peer-${label}-${port}`);
  return startServer({
    name: '@tus/server',
    command: process.execPath,
    args: [path.join(here, 'peer-server.mjs'), '--port', String(port), '--dir', dir, ...extraArgs],
    url: `http://127.0.0.1:${port}/files/`,
    logFile: path.join(work, `peer-${label}-${port}.log`),
  });
}

/** Runs `measure` on a fresh instance of each server, alternating which goes first, and keeps peak RSS. */
async function sideBySide(label, rounds, starters, measure, warmBytes) {
  const results = { TusUpload: [], '@tus/server': [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? starters : [...starters].reverse();
    for (const start of order) {
      // The previous run's dirty pages reach the device first, and the device goes quiet: @tus/file-store never
      // syncs, so its gigabyte was still being written back while the next server's fdatasyncs queued behind it
      // (seen: 765, 437, 314 MB/s for the same server in three rounds).
      await settleDisks();
      const server = await start(label);
      try {
        progress(`${label}: round ${round + 1}/${rounds} on ${server.name}`);
        if (warmBytes) {
          progress(`  warming the page cache with ${Math.round(warmBytes / MiB)} MiB`);
          warmPageCache(work, warmBytes);
        }

        const figures = await measure(server);
        figures.peakRssMiB = peakRssMiB(server.pid);
        results[server.name].push(figures);
      } finally {
        await server.stop();
      }
    }
  }

  return results;
}

function spikeFigures(run) {
  return {
    uploadsPerSecond: run.latencies.length / run.seconds,
    p50: percentile(run.latencies, 50),
    p99: percentile(run.latencies, 99),
    errors: run.errors.length,
    firstError: run.errors[0],
  };
}

function summarise(results, key) {
  const pick = (name) => results[name].map((r) => r[key]);
  return { ours: median(pick('TusUpload')), peer: median(pick('@tus/server')) };
}

function maxOf(results, name, key) {
  return Math.max(...results[name].map((r) => r[key]));
}

function fmt(number, digits = 1) {
  return Number.isFinite(number) ? number.toFixed(digits) : 'n/a';
}

async function diskScenario() {
  const bigMiB = quick ? 256 : 1024;
  const spikeCount = quick ? 200 : 1000;
  const rounds = quick ? 1 : 3;
  const starters = [(label) => ours([], label), (label) => peer([], label)];

  // The spike runs first: the gigabytes of dd and the single PATCHes leave the virtual disk flushing its own cache
  // for a while after the guest's disks went quiet, and whichever server synced first after them paid for it.
  // Both servers first take an unmeasured warm-up spike, so that the figures compare steady servers rather than
  // how fast each one's JIT (.NET's or V8's) settles in the first second after a start.
  const warmUpCount = quick ? 50 : 200;
  const burst = await sideBySide('spike', rounds, starters, async (server) => {
    progress(`  ${server.name}: unmeasured warm-up spike of ${warmUpCount} uploads`);
    await spike(server.url, warmUpCount, 256 * 1024, 100);
    return spikeFigures(await spike(server.url, spikeCount, 256 * 1024, 100, (done, total) =>
      progress(`  ${server.name}: ${done}/${total} uploads`)));
  }, (warmUpCount + spikeCount) * 256 * 1024 + 64 * MiB);

  // The virtual disk here swings: sometimes it absorbs a gigabyte at 1.6 GB/s and then writes at 370 MB/s, other
  // times it gives 900–1500 MB/s run after run. A server that syncs is bound by that; one that never syncs (the
  // peer) is not. So dd runs three times, the shares use the median, and all three are reported.
  progress(`dd baseline: ${bigMiB} MiB with conv=fdatasync, three times`);
  const ddRuns = [measureDd(bigMiB), measureDd(bigMiB), measureDd(bigMiB)];
  const ddMBps = median(ddRuns);

  const single = await sideBySide('single-patch', rounds, starters, async (server) => {
    const seconds = await singlePatch(server.url, bigMiB * MiB);
    return { seconds, MBps: (bigMiB * MiB) / seconds / 1e6 };
  }, (bigMiB + 64) * MiB);

  const throughput = summarise(single, 'MBps');
  const rate = summarise(burst, 'uploadsPerSecond');
  const p50 = summarise(burst, 'p50');
  const p99 = summarise(burst, 'p99');
  const errors = {
    ours: burst.TusUpload.reduce((n, r) => n + r.errors, 0),
    peer: burst['@tus/server'].reduce((n, r) => n + r.errors, 0),
  };
  const rss = {
    ours: Math.max(maxOf(single, 'TusUpload', 'peakRssMiB'), maxOf(burst, 'TusUpload', 'peakRssMiB')),
    peer: Math.max(maxOf(single, '@tus/server', 'peakRssMiB'), maxOf(burst, '@tus/server', 'peakRssMiB')),
  };

  const rows = [
    ['Measure', 'TusUpload', '@tus/server', 'Ratio (ours/peer)'],
    [`One ${bigMiB} MiB PATCH, MB/s (median of ${rounds})`, fmt(throughput.ours), fmt(throughput.peer),
      fmt(throughput.ours / throughput.peer, 2)],
    [`… as a share of dd conv=fdatasync (median ${fmt(ddMBps)} MB/s of ${ddRuns.map((r) => fmt(r)).join(', ')})`,
      fmt(throughput.ours / ddMBps, 2),
      fmt(throughput.peer / ddMBps, 2), ''],
    [`Spike ${spikeCount} × 256 KiB at concurrency 100, uploads/s`, fmt(rate.ours), fmt(rate.peer),
      fmt(rate.ours / rate.peer, 2)],
    ['Spike latency p50, ms', fmt(p50.ours), fmt(p50.peer), fmt(p50.ours / p50.peer, 2)],
    ['Spike latency p99, ms', fmt(p99.ours), fmt(p99.peer), fmt(p99.ours / p99.peer, 2)],
    ['Spike errors (all rounds)', String(errors.ours), String(errors.peer), ''],
    ['Peak RSS, MiB', fmt(rss.ours), fmt(rss.peer), fmt(rss.ours / rss.peer, 2)],
  ];
  return { rows, raw: { ddMBps, ddRuns, single, burst } };
}

/** S3 requests and body bytes per upload, by operation, averaged over rounds: { operation: { ours, peer } }. */
function s3Traffic(results, uploadsPerRound) {
  const perUpload = (name) => {
    const sums = {};
    for (const round of results[name]) {
      for (const [operation, tally] of Object.entries(round.s3 ?? {})) {
        if (operation === 'CreateBucket' || operation === 'HeadBucket') {
          continue;
        }

        const sum = (sums[operation] ??= { requests: 0, bytesIn: 0, bytesOut: 0 });
        sum.requests += tally.requests;
        sum.bytesIn += tally.bytesIn;
        sum.bytesOut += tally.bytesOut;
      }
    }

    const uploads = uploadsPerRound * results[name].length;
    return Object.fromEntries(Object.entries(sums).map(([operation, sum]) => [operation, {
      requests: sum.requests / uploads,
      bytesIn: sum.bytesIn / uploads,
      bytesOut: sum.bytesOut / uploads,
    }]));
  };

  return { ours: perUpload('TusUpload'), peer: perUpload('@tus/server') };
}

function trafficRows(title, traffic) {
  const operations = [...new Set([...Object.keys(traffic.ours), ...Object.keys(traffic.peer)])].sort();
  const requests = (side, operation) => traffic[side][operation]?.requests ?? 0;
  const total = (side, key) => Object.values(traffic[side]).reduce((n, tally) => n + tally[key], 0);
  const rows = [[`${title}: S3 requests per upload`, 'TusUpload', '@tus/server', '']];
  for (const operation of operations) {
    rows.push([operation, fmt(requests('ours', operation), 2), fmt(requests('peer', operation), 2), '']);
  }

  rows.push(['All requests', fmt(total('ours', 'requests'), 2), fmt(total('peer', 'requests'), 2),
    fmt(total('ours', 'requests') / total('peer', 'requests'), 2)]);
  rows.push(['MiB sent to S3', fmt(total('ours', 'bytesIn') / MiB, 2), fmt(total('peer', 'bytesIn') / MiB, 2),
    fmt(total('ours', 'bytesIn') / total('peer', 'bytesIn'), 2)]);
  rows.push(['MiB read from S3', fmt(total('ours', 'bytesOut') / MiB, 2), fmt(total('peer', 'bytesOut') / MiB, 2),
    '']);
  return rows;
}

async function s3Scenario() {
  const counting = values['count-s3'];
  const moto = await startMoto({ count: counting });
  try {
    const bigMiB = quick ? 50 : 200;
    const count = quick ? 50 : 200;
    const rounds = quick ? 1 : 3;
    const bucketOf = (server, label) => `${server.name === 'TusUpload' ? 'ours' : 'peer'}-${label}`;
    // moto keeps everything in memory and slows down as it grows, and our start-up sweep reads every info object
    // in the bucket: each server starts on an emptied moto, so neither pays for the other's or earlier rounds' data.
    const oursS3 = async (label) => {
      await moto.reset();
      return ours([
        '--Store:Kind=s3',
        `--Store:S3:ServiceUrl=${moto.url}`,
        `--Store:S3:Bucket=ours-${label}`,
        '--Store:S3:CreateBucket=true',
        '--Store:S3:AccessKey=bench',
        '--Store:S3:SecretKey=bench',
      ], label);
    };
    const peerS3 = async (label) => {
      await moto.reset();
      await moto.createBucket(`peer-${label}`);
      return peer(['--s3', moto.url, '--bucket', `peer-${label}`, '--part-size', String(5 * MiB)], label);
    };
    const starters = [oursS3, peerS3];

    // After the timed part each server finishes its own work (our embedded worker hashes and deduplicates) before
    // it is stopped and the next one starts; counting includes that work.
    const withTraffic = async (server, label, figures) => {
      await moto.waitIdle();
      if (moto.counter) {
        await moto.counter.settle();
        figures.s3 = moto.counter.take(bucketOf(server, label));
      }

      return figures;
    };

    const chunked = await sideBySide('s3-chunked', rounds, starters, async (server) => {
      const seconds = await chunkedUpload(server.url, bigMiB * MiB, 5 * MiB);
      return withTraffic(server, 's3-chunked', { seconds, MBps: (bigMiB * MiB) / seconds / 1e6 });
    });
    const burst = await sideBySide('s3-spike', rounds, starters, async (server) =>
      withTraffic(server, 's3-spike', spikeFigures(await spike(server.url, count, MiB, 50, (done, total) =>
        progress(`  ${server.name}: ${done}/${total} uploads`)))));

    const throughput = summarise(chunked, 'MBps');
    const rate = summarise(burst, 'uploadsPerSecond');
    const p99 = summarise(burst, 'p99');
    const peakOf = (name) => Math.max(maxOf(chunked, name, 'peakRssMiB'), maxOf(burst, name, 'peakRssMiB'));
    const rows = [
      ['Measure', 'TusUpload', '@tus/server', 'Ratio (ours/peer)'],
      [`${bigMiB} MiB in 5 MiB PATCHes to S3, MB/s`, fmt(throughput.ours), fmt(throughput.peer),
        fmt(throughput.ours / throughput.peer, 2)],
      [`${count} × 1 MiB at concurrency 50, uploads/s`, fmt(rate.ours), fmt(rate.peer),
        fmt(rate.ours / rate.peer, 2)],
      ['p99 latency, ms', fmt(p99.ours), fmt(p99.peer), fmt(p99.ours / p99.peer, 2)],
      ['Errors', String(burst.TusUpload.reduce((n, r) => n + r.errors, 0)),
        String(burst['@tus/server'].reduce((n, r) => n + r.errors, 0)), ''],
      ['Peak RSS, MiB', fmt(peakOf('TusUpload')), fmt(peakOf('@tus/server')), ''],
    ];
    const extraTables = counting
      ? [
        trafficRows(`${bigMiB} MiB in 5 MiB PATCHes`, s3Traffic(chunked, 1)),
        trafficRows(`${count} × 1 MiB`, s3Traffic(burst, count)),
      ]
      : [];
    return { rows, extraTables, raw: { chunked, burst } };
  } finally {
    await moto.stop();
  }
}

function table(rows) {
  const lines = [`| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => '---').join('|')}|`];
  for (const row of rows.slice(1)) {
    lines.push(`| ${row.join(' | ')} |`);
  }

  return lines.join('\n');
}

try {
  const scenarios = { disk: diskScenario, s3: s3Scenario };
  const run = scenarios[values.scenario];
  if (!run) {
    throw new Error(`unknown scenario ${values.scenario}; use disk or s3`);
  }

  const { rows, extraTables = [], raw } = await run();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const tables = [rows, ...extraTables].map(table).join('\n\n');
  const title = `# ${values.scenario} benchmark, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`;
  const markdown = `${title}\n\n${tables}\n`;
  mkdirSync(values.out, { recursive: true });
  writeFileSync(path.join(values.out, `${stamp}-${values.scenario}.md`), markdown);
  writeFileSync(path.join(values.out, `${stamp}-${values.scenario}.json`), JSON.stringify(raw, null, 2));
  console.log(markdown);
} finally {
  rmSync(work, { recursive: true, force: true });
  writeFileSync(deletedStamp, `${new Date().toISOString()}\n`);
}
