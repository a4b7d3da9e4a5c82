/**
 * `npx tsx scripts/profile-daemon.ts`: where the daemon's CPU time and memory go (issue 9 §7). Runs
 * the benchmark's main workload (the real compiled daemon against the emulator) under
 * `node --cpu-prof`, then prints the figures the benchmark prints (CPU per conversation, peak RSS,
 * first request) and the profile's self time by function and by package or file, for the whole
 * run and for start-up (spawn to first request). A measurement: it asserts nothing.
 * Run `npm run build` first: it profiles dist/, as `npm run generate` runs it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { computeFigures } from './bench/figures.js';
import { REPOSITORY_ROOT } from './bench/daemon-process.js';
import { runWorkload } from './bench/run-workload.js';
import { DEFAULT_WORKLOAD } from './bench/workload.js';
import { summariseCpuProfile, type CpuProfile, type TimeShare } from './profile/cpu-profile-summary.js';
import { describeMemoryTimeline, readMemorySamples } from './profile/memory-timeline.js';

const HELP = `Usage: npx tsx scripts/profile-daemon.ts [--conversations N] [--top N] [--concurrency N] [--profile-dir DIR] [--figures-only] [--memory] [--node-argument ARG]…

Profiles the compiled daemon (npm run build first) on the benchmark's workload and prints where
its CPU time goes. The .cpuprofile stays in --profile-dir (default: a new temp dir) for DevTools.
--figures-only runs without the profiler and prints only CPU per conversation, peak RSS and the
first request: a quick before/after for one change. --memory also samples the daemon's
process.memoryUsage() every 100 ms and prints when its RSS peaked and what V8 held then.
--node-argument (repeatable) passes a flag to the daemon's node (a V8 heap flag, say).
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      conversations: { type: 'string', default: '200' },
      top: { type: 'string', default: '25' },
      concurrency: { type: 'string' },
      'profile-dir': { type: 'string' },
      'figures-only': { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      'node-argument': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const target = Number(values.conversations);
  const top = Number(values.top);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (![target, top, concurrency ?? 1].every((value) => Number.isInteger(value) && value > 0)) {
    process.stderr.write(`--conversations, --top and --concurrency expect whole numbers of at least 1.\n\n${HELP}`);
    return 2;
  }
  const profileDirectory = path.resolve(values['profile-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'nightshift-profile-')));
  process.stderr.write(`profiling ${target} conversations; profile in ${profileDirectory}…\n`);
  mkdirSync(profileDirectory, { recursive: true });
  const memoryFile = path.join(profileDirectory, 'memory.ndjson');
  const sampler = pathToFileURL(path.join(REPOSITORY_ROOT, 'scripts/profile/memory-sampler.mjs'));
  sampler.searchParams.set('out', memoryFile);
  const run = await runWorkload(DEFAULT_WORKLOAD, {
    target,
    concurrency,
    nodeArguments: [
      ...(values['figures-only'] ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`]),
      ...(values.memory ? [`--import=${sampler.href}`] : []),
      ...values['node-argument'],
    ],
  });
  const figures = computeFigures(run, DEFAULT_WORKLOAD);
  if (run.exit.code !== 0) {
    process.stderr.write(`the daemon exited with ${String(run.exit.code)}; its last output:\n${run.exit.outputTail}\n`);
    return 1;
  }
  const profileFile = readdirSync(profileDirectory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(profileDirectory, name))
    .at(-1);
  const lines = [
    `${figures.saved} conversations, ${figures.requestsPerConversation.toFixed(2)} requests each, peak ${figures.peakInFlight} in flight`,
    `CPU per conversation (user + system${values['figures-only'] ? '' : ', under the profiler'}): ${figures.cpuMsPerConversation?.toFixed(1) ?? '–'} ms`,
    `peak RSS: ${figures.peakRssMb?.toFixed(0) ?? '–'} MB`,
    `first request, from spawning the daemon: ${figures.firstRequestMs?.toFixed(0) ?? '–'} ms`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.memory) {
    const inFlight = run.logRecords
      .filter((record) => record.msg === 'progress')
      .map((record) => ({ time: Date.parse(String(record.time)), inFlight: Number(record.inFlight) || 0 }));
    process.stdout.write(`\nMemory, the highest sample of every 5 s (${memoryFile}):\n`);
    process.stdout.write(describeMemoryTimeline(readMemorySamples(memoryFile), inFlight, 5_000));
  }
  if (values['figures-only']) return 0;
  if (profileFile === undefined) {
    process.stderr.write(`no .cpuprofile in ${profileDirectory}\n`);
    return 1;
  }
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const whole = summariseCpuProfile(profile, REPOSITORY_ROOT);
  process.stdout.write(`\nWhole run: ${whole.busyMs.toFixed(0)} ms sampled busy (${(whole.busyMs / figures.saved).toFixed(1)} ms per conversation)\n`);
  printTable('self time by function', whole.functions, whole.busyMs, top);
  printTable('self time by package or file', whole.places, whole.busyMs, top);
  printTable('time with a frame of the package or file on the stack', whole.inclusivePlaces, whole.busyMs, top);
  if (figures.firstRequestMs !== null) {
    const startup = summariseCpuProfile(profile, REPOSITORY_ROOT, { untilMs: figures.firstRequestMs });
    process.stdout.write(`\nStart-up (the profile's first ${figures.firstRequestMs.toFixed(0)} ms): ${startup.busyMs.toFixed(0)} ms busy\n`);
    printTable('self time by package or file', startup.places, startup.busyMs, top);
  }
  process.stdout.write(`\nprofile: ${profileFile}\n`);
  return 0;
}

function printTable(title: string, shares: readonly TimeShare[], totalMs: number, top: number): void {
  process.stdout.write(`\n${title}:\n`);
  for (const share of shares.slice(0, top)) {
    process.stdout.write(`${share.ms.toFixed(0).padStart(8)} ms ${((100 * share.ms) / totalMs).toFixed(1).padStart(5)} %  ${share.name}\n`);
  }
}

process.exitCode = await main(process.argv.slice(2));
