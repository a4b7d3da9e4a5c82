/**
 * How fast `npm run report` reads a large data directory, and in how much memory. Writes N
 * synthetic Ada-shaped lines (a 3 kB system prompt, 2 to 4 turns, tool calls, the six tool schemas
 * in metadata, about the size of a real line) and 5 % of them to the invalid file, then times:
 * reading the lines alone (the floor any reader pays), reading and JSON-parsing them (the floor of
 * any reader that looks inside), and the full report. Prints the ratio of the report to each.
 *
 *   npx tsx scripts/bench-report.ts [--conversations 100000] [--keep]
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildReport, writeReportFiles } from '../src/report/index.js';

const { values } = parseArgs({ options: { conversations: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false } } });
const count = Number(values.conversations);
const root = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-report-'));
const training = path.join(root, 'trainingData');
mkdirSync(training);
const output = path.join(training, 'conversations.jsonl');

const SYSTEM = `# Ada\n\n${'You are Ada, a warm, capable assistant who remembers the person she talks with. '.repeat(40)}`;
const TOOLS = ['add_memory', 'recall_memories', 'delete_memory', 'add_diary', 'recall_diary', 'delete_diary'].map((name) => ({
  type: 'function',
  function: { name, description: `The ${name} tool, described at the length real schemas are.`, parameters: { type: 'object', properties: { input_text: { type: 'array', items: { type: 'string' } } } } },
}));
const WORDS = 'garden plant water light soil pot leaf music concert trip train budget recipe dinner friend plan week morning run doctor book'.split(' ');
const PROVIDERS = [['mistral', 'mistral-medium-latest'], ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'], ['huggingface', 'Qwen/Qwen2.5-72B-Instruct']] as const;

function sentence(seed: number, words: number): string {
  let text = '';
  for (let index = 0; index < words; index++) text += `${WORDS[(seed * 31 + index * 7 + index * index) % WORDS.length]} `;
  return text.trim();
}

function line(index: number, valid: boolean): string {
  const [provider, model] = PROVIDERS[index % PROVIDERS.length]!;
  const turns = 2 + (index % 3);
  const conversations: { role: string; content: string }[] = [{ role: 'system', content: SYSTEM }];
  const toolCalls: object[] = [];
  for (let turn = 0; turn < turns; turn++) {
    conversations.push({ role: 'user', content: `${sentence(index + turn, 18)}?` });
    const calls = turn === 0 && index % 2 === 0;
    conversations.push({
      role: 'assistant',
      content: `<think>\n${sentence(index * 3 + turn, 60)}\n</think>\n\n${sentence(index * 5 + turn, 45)}.${calls ? '\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["likes plants"]}}</tool_call>' : ''}`,
    });
    if (calls) {
      toolCalls.push({ messageIndex: conversations.length - 1, resultIndex: conversations.length, name: 'add_memory', arguments: { input_text: ['likes plants'] }, ok: true });
      conversations.push({ role: 'tool', content: 'Saved 1 memory.' });
    }
  }
  return JSON.stringify({
    id: `bench-${index}`,
    conversations,
    label: valid,
    report: { issues: valid ? [] : [{ level: 'error', code: 'refusal', message: 'The reply refuses.' }] },
    metadata: {
      pipeline: 'ada', pipelineVersion: '1.4.0', dryRun: false,
      createdAt: new Date(Date.UTC(2026, 0, 1) + index * 700).toISOString(),
      simulatedUser: { id: `user-${index % 500}`, name: `User ${index % 500}` }, topic: `topic ${index % 40}`,
      providers: [provider], messages: conversations.map((message) => (message.role === 'assistant' ? { provider, model } : null)),
      toolCalls, usage: { inputTokens: 4000, outputTokens: 600 }, tools: TOOLS,
    },
  });
}

async function writeLines(file: string, lines: number, make: (index: number) => string): Promise<void> {
  const stream = createWriteStream(file);
  for (let index = 0; index < lines; index++) {
    if (!stream.write(`${make(index)}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
}

/** CPU milliseconds (user + system) of this process: on a machine shared with other jobs, wall time says more about them. */
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function timeReading(parse: boolean): Promise<{ wall: number; cpu: number }> {
  const started = performance.now();
  const cpuStarted = cpuMs();
  for (const file of [output, path.join(training, 'conversations_invalid.jsonl')]) {
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (parse) JSON.parse(text);
  }
  return { wall: performance.now() - started, cpu: cpuMs() - cpuStarted };
}

const invalidCount = Math.round(count * 0.05);
await writeLines(output, count, (index) => line(index, true));
await writeLines(path.join(training, 'conversations_invalid.jsonl'), invalidCount, (index) => line(count + index, false));
const bytes = statSync(output).size + statSync(path.join(training, 'conversations_invalid.jsonl')).size;
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const rssBefore = process.memoryUsage().rss;
const readMs = await timeReading(false);
const parseMs = await timeReading(true);
peakRss = 0;
const started = performance.now();
const cpuStarted = cpuMs();
const report = await buildReport({ dataDir: root, outputPath: output, manifestPath: path.join(training, 'conversations.manifest.json') });
const build = { wall: performance.now() - started, cpu: cpuMs() - cpuStarted };
const writeStarted = performance.now();
writeReportFiles(report, root);
const writeMs = performance.now() - writeStarted;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const both = (time: { wall: number; cpu: number }) => `${seconds(time.wall)} wall, ${seconds(time.cpu)} CPU`;
console.log(`${count.toLocaleString('en')} valid + ${invalidCount.toLocaleString('en')} invalid lines, ${(bytes / 2 ** 20).toFixed(0)} MiB (node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)})`);
console.log(`read lines only:       ${both(readMs)}`);
console.log(`read + JSON.parse:     ${both(parseMs)}`);
console.log(`report (build):        ${both(build)}  (${Math.round((count + invalidCount) / (build.cpu / 1000)).toLocaleString('en')} lines per CPU second)`);
console.log(`report files written:  ${seconds(writeMs)}`);
console.log(`CPU ratio to reading:  ${(build.cpu / readMs.cpu).toFixed(1)}x;  to read + parse: ${(build.cpu / parseMs.cpu).toFixed(2)}x`);
console.log(`peak RSS during report: ${(peakRss / 2 ** 20).toFixed(0)} MiB (process before: ${(rssBefore / 2 ** 20).toFixed(0)} MiB)`);
console.log(`check: ${report.counts.valid} valid, ${report.counts.invalid} invalid, ${report.tools.share} tool share`);
if (values.keep) console.log(`kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
