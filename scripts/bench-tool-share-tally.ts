/**
 * What `--tool-share` costs at start: a resumed run reads the whole output to count the lines
 * with tool calls. Writes N synthetic Ada-shaped lines (a 3 kB system prompt, 2 to 4 turns with
 * `<think>`, a call in half of them, the six tool schemas in metadata: about the size of a real
 * line), then times, in CPU time (the machine is shared) and wall time: reading the lines alone,
 * reading and JSON-parsing them (the floor of any reader that looks inside a line), and
 * `tallyOutput`. Prints the ratio of the tally to each floor.
 *
 *   npx tsx scripts/bench-tool-share-tally.ts [--conversations 20000] [--keep]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tallyOutput } from '../src/pipelines/ada/tool-share-run.js';

const { values } = parseArgs({ options: { conversations: { type: 'string', default: '20000' }, keep: { type: 'boolean', default: false } } });
const count = Number(values.conversations);
const root = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-tool-share-'));
const output = path.join(root, 'conversations.jsonl');

const SYSTEM = `# Ada\n\n${'You are Ada, a warm, capable assistant who remembers the person she talks with. '.repeat(40)}`;
const TOOLS = ['add_memory', 'recall_memories', 'delete_memory', 'add_diary', 'recall_diary', 'delete_diary'].map((name) => ({
  type: 'function',
  function: { name, description: `The ${name} tool, described at the length real schemas are.`, parameters: { type: 'object', properties: { input_text: { type: 'array', items: { type: 'string' } } } } },
}));
const WORDS = 'garden plant water light soil pot leaf music concert trip train budget recipe dinner friend plan week morning run doctor book'.split(' ');

function sentence(seed: number, words: number): string {
  let text = '';
  for (let index = 0; index < words; index++) text += `${WORDS[(seed * 31 + index * 7 + index * index) % WORDS.length]} `;
  return text.trim();
}

function line(index: number): string {
  const conversations: { role: string; content: string }[] = [{ role: 'system', content: SYSTEM }];
  const toolCalls: object[] = [];
  for (let turn = 0; turn < 2 + (index % 3); turn++) {
    conversations.push({ role: 'user', content: `${sentence(index + turn, 18)}?` });
    const calls = turn === 0 && index % 2 === 0;
    const call = calls ? '\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["likes plants"]}}</tool_call>' : '';
    conversations.push({ role: 'assistant', content: `<think>\n${sentence(index * 3 + turn, 60)}\n</think>\n\n${sentence(index * 5 + turn, 45)}.${call}` });
    if (calls) {
      toolCalls.push({ messageIndex: conversations.length - 1, resultIndex: conversations.length, name: 'add_memory', arguments: { input_text: ['likes plants'] }, ok: true });
      conversations.push({ role: 'tool', content: 'Saved 1 memory.' });
    }
  }
  const plan = index % 2 === 0 ? 'tools' : 'no-tools';
  return JSON.stringify({ id: `bench-${index}`, conversations, label: true, report: { issues: [] }, metadata: { pipeline: 'ada', topic: sentence(index, 8), toolCalls, tools: TOOLS, toolShare: { target: 0.5, plan } } });
}

async function writeLines(): Promise<void> {
  const stream = createWriteStream(output);
  for (let index = 0; index < count; index++) {
    if (!stream.write(`${line(index)}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

async function forEachLine(visit: (text: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(output, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const text of lines) visit(text);
}

async function timed(name: string, work: () => Promise<unknown>): Promise<{ name: string; cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { name, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start };
}

await writeLines();
const megabytes = statSync(output).size / (1 << 20);
const read = await timed('read lines', () => forEachLine(() => undefined));
const parse = await timed('read + JSON.parse', () => forEachLine((text) => JSON.parse(text)));
let tally: Awaited<ReturnType<typeof tallyOutput>> | undefined;
const tallied = await timed('tallyOutput', async () => (tally = await tallyOutput(output)));
console.log(`${count} lines, ${megabytes.toFixed(0)} MiB; tally: ${tally?.withTools} of ${tally?.saved} with tools`);
for (const figure of [read, parse, tallied]) {
  console.log(`${figure.name.padEnd(18)} ${figure.cpuMs.toFixed(0).padStart(7)} ms CPU ${figure.wallMs.toFixed(0).padStart(7)} ms wall  ${((count / figure.cpuMs) * 1000).toFixed(0)} lines per CPU second`);
}
console.log(`tallyOutput / read + JSON.parse: ${(tallied.cpuMs / parse.cpuMs).toFixed(2)} (CPU); / read alone: ${(tallied.cpuMs / read.cpuMs).toFixed(2)}`);
if (values.keep) console.log(`kept ${root}`);
else rmSync(root, { recursive: true, force: true });
