/**
 * `npm run bench:requests`: the CPU one chat request costs the client, from the floor any Node HTTP
 * client pays (node:http, fetch reading the SSE body) up to each of our four adapters through its
 * real SDK, streamed as the daemon streams, and each SDK's non-streamed call for comparison
 * (issue 9 §7: what a target of 5 ms of CPU per conversation means per request).
 *
 * The emulator runs in this process; each variant runs in a child process of its own, which
 * measures its own process.cpuUsage around N requests after a warm-up, so the emulator's CPU and
 * the other SDKs' module loading are never counted. The reply has the bench workload's mean length
 * (about 52 tokens, 208 characters) in chunks of its size (16 characters per event), the chunks
 * spread over the reply's latency so they arrive one by one as they do in the daemon.
 * A measurement: it asserts nothing.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../src/emulator/index.js';
import type { MeasureInput, MeasureOutput } from './request-cost/measure-variant.js';
import { VARIANTS, type Variant, type VariantSetup } from './request-cost/variants.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPOSITORY_ROOT = path.resolve(HERE, '..');

/** Requests per conversation in the bench workload (`npm run bench`: 9.5 on main). */
const REQUESTS_PER_CONVERSATION = 9.5;
/** Issue 9 §7's target for the daemon's CPU per conversation. */
const TARGET_MS_PER_CONVERSATION = 5;
/** A role the emulator does not script: it answers `Scripted <role> reply to: <the user's text>`. */
const MODEL = 'offline-request-cost';
const REPLY_PREFIX = 'Scripted request-cost reply to: ';
/** The emulator's generic reply quotes at most this many characters of the user's message. */
const MAXIMUM_QUOTE = 400;

const HELP = `Usage: npm run bench:requests -- [--requests N] [--warm-up N] [--in-flight N] [--reply-characters N]
       [--chunk-characters N] [--latency-ms N] [--only SUBSTRING]

Measures the CPU (user + system) one chat request costs the client, each variant in a child
process of its own, against the emulator in this process. Defaults: 300 requests after 40 of
warm-up, 8 in flight, a 208-character reply (the bench workload's mean) in 16-character events
spread over 100 ms. --only keeps the variants whose name contains SUBSTRING.
`;

interface BenchOptions {
  readonly requests: number;
  readonly warmUp: number;
  readonly inFlight: number;
  readonly replyCharacters: number;
  readonly chunkCharacters: number;
  readonly latencyMs: number;
  readonly only: string | undefined;
}

function readOptions(argv: readonly string[]): BenchOptions | string {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      requests: { type: 'string', default: '300' },
      'warm-up': { type: 'string', default: '40' },
      'in-flight': { type: 'string', default: '8' },
      'reply-characters': { type: 'string', default: '208' },
      'chunk-characters': { type: 'string', default: '16' },
      'latency-ms': { type: 'string', default: '100' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return HELP;
  const numbers = [values.requests, values['warm-up'], values['in-flight'], values['reply-characters'], values['chunk-characters'], values['latency-ms']].map(Number);
  const [requests, warmUp, inFlight, replyCharacters, chunkCharacters, latencyMs] = numbers as [number, number, number, number, number, number];
  if (!numbers.every((value) => Number.isInteger(value) && value >= 0) || requests < 1 || inFlight < 1 || chunkCharacters < 1) {
    return `Expected whole numbers (--requests, --in-flight and --chunk-characters at least 1), got ${argv.join(' ')}\n\n${HELP}`;
  }
  const longest = REPLY_PREFIX.length + MAXIMUM_QUOTE;
  if (replyCharacters <= REPLY_PREFIX.length || replyCharacters > longest) {
    return `Expected --reply-characters between ${REPLY_PREFIX.length + 1} and ${longest} (the emulator's generic reply), got ${replyCharacters}\n`;
  }
  return { requests, warmUp, inFlight, replyCharacters, chunkCharacters, latencyMs, only: values.only };
}

/** A user message the generic reply quotes whole, so the reply is `replyCharacters` long. */
function userTextFor(replyCharacters: number): string {
  const words = 'the quick brown fox jumps over the lazy dog and keeps running through the night ';
  return words.repeat(Math.ceil(replyCharacters / words.length)).slice(0, replyCharacters - REPLY_PREFIX.length).replace(/ $/, '.');
}

function measureInChild(input: MeasureInput): Promise<MeasureOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'request-cost', 'measure-variant.ts'), JSON.stringify(input)], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as MeasureOutput);
      else reject(new Error(`variant "${input.variant}" exited with ${String(code)}: ${stderr.trim().split('\n').slice(0, 8).join('\n')}`));
    });
  });
}

function row(variant: Variant, output: MeasureOutput): string {
  const perRequest = (output.userMs + output.systemMs) / output.requests;
  const cells = [
    variant.name,
    perRequest.toFixed(3),
    (perRequest * REQUESTS_PER_CONVERSATION).toFixed(1),
    ((perRequest * REQUESTS_PER_CONVERSATION) / TARGET_MS_PER_CONVERSATION).toFixed(1),
    (output.systemMs / output.requests).toFixed(3),
    output.replyCharacters === null ? '–' : output.replyCharacters.toFixed(0),
    output.piecesPerRequest === 0 ? '–' : output.piecesPerRequest.toFixed(1),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = readOptions(argv);
  if (typeof options === 'string') {
    process.stdout.write(options);
    return options === HELP ? 0 : 2;
  }
  const variants = VARIANTS.filter((variant) => options.only === undefined || variant.name.includes(options.only));
  const emulator = await startEmulator({
    seed: 1,
    defaults: { latency: { medianMs: options.latencyMs, sigma: 0 }, streamChunkCharacters: options.chunkCharacters },
  });
  const setup: VariantSetup = { baseUrls: emulator.baseUrls, model: MODEL, userText: userTextFor(options.replyCharacters) };
  const load = os.loadavg().map((value) => value.toFixed(2)).join(', ');
  process.stdout.write(
    `${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, load average ${load}\n` +
      `${options.requests} requests per variant after ${options.warmUp} of warm-up, ${options.inFlight} in flight, ` +
      `reply ${options.replyCharacters} characters in events of ${options.chunkCharacters}, latency ${options.latencyMs} ms\n\n` +
      `| variant | ms CPU per request | × ${REQUESTS_PER_CONVERSATION} = ms per conversation | × the ${TARGET_MS_PER_CONVERSATION} ms target | of which system, ms per request | reply characters | body pieces per request |\n` +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  try {
    for (const variant of variants) {
      const output = await measureInChild({ variant: variant.name, setup, requests: options.requests, warmUp: options.warmUp, inFlight: options.inFlight });
      process.stdout.write(`${row(variant, output)}\n`);
    }
  } finally {
    await emulator.close();
  }
  process.stdout.write(`\n${variants.map((variant) => `${variant.name}: ${variant.description}`).join('\n')}\n`);
  process.stdout.write(`\nload average after: ${os.loadavg().map((value) => value.toFixed(2)).join(', ')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
