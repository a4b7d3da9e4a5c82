/**
 * How the near-duplicate index scales: adds synthetic conversation texts (an opening request and
 * three replies, ~90 words) to a real SQLite file, and at each checkpoint times checks of fresh texts
 * and of near copies, so a lookup at 20,000 can be compared with one at 1,000. The theoretical
 * limit of a check is computing its signature (what no index can avoid); the ratio says how much
 * the lookup adds. Also times `validateConversation` on the daemon fixture.
 *
 *   npx tsx scripts/bench-near-duplicates.ts [--count 20000] [--checks 500]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADA_TOOL_SCHEMAS } from '../src/tools/index.js';
import { createMinHasher, openNearDuplicateIndex, validateConversation } from '../src/validate/index.js';
import { nearCopy, syntheticText } from '../test/validate/synthetic-texts.js';
import { CURRENT_DAEMON_FIXTURE, readConversations } from '../test/validate/validate-fixtures.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' }, checks: { type: 'string', default: '500' } } });
const count = Number(values.count);
const checks = Number(values.checks);
if (!Number.isInteger(count) || count < 1000 || !Number.isInteger(checks) || checks < 10) {
  throw new Error(`Expected --count ≥ 1000 and --checks ≥ 10 (whole numbers), got --count ${values.count} --checks ${values.checks}`);
}

function percentile(samples: readonly number[], share: number): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
}

function milliseconds(value: number): string {
  return `${value.toFixed(3)} ms`;
}

const directory = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-near-duplicates-'));
const file = path.join(directory, 'near-duplicates.db');
try {
  const index = openNearDuplicateIndex(file);
  const hasher = createMinHasher();
  const checkpoints = [1000, 5000, 10000, 20000, 50000, 100000].filter((size) => size <= count);
  if (checkpoints[checkpoints.length - 1] !== count) checkpoints.push(count);
  console.log(`near-duplicate index: ${count.toLocaleString('en-US')} synthetic conversations, ${checks} fresh and ${checks} near-copy checks per checkpoint`);
  console.log('size     | add p50    | check p50 | check p95 | signature p50   | limit ratio (sig/check) | copies found | fresh flagged');
  let added = 0;
  for (const checkpoint of checkpoints) {
    const addDurations: number[] = [];
    for (; added < checkpoint; added++) {
      const text = syntheticText(1, added);
      const started = performance.now();
      index.add(`conversation-${added}`, text);
      addDurations.push(performance.now() - started);
    }
    const durations: number[] = [];
    let found = 0;
    let flagged = 0;
    const signatureDurations: number[] = [];
    for (let position = 0; position < checks; position++) {
      const fresh = syntheticText(2, checkpoint * 10 + position);
      const original = Math.floor((position * checkpoint) / checks);
      const copy = nearCopy(syntheticText(1, original), 0.02, position);
      for (const [text, isCopy] of [[fresh, false], [copy, true]] as const) {
        const signatureStart = performance.now();
        hasher.bandKeys(hasher.signature(text) as Uint32Array);
        signatureDurations.push(performance.now() - signatureStart);
        const start = performance.now();
        const result = index.check(`probe-${position}`, text);
        durations.push(performance.now() - start);
        if (isCopy && result.duplicateOf === `conversation-${original}`) found++;
        if (!isCopy && result.duplicateOf !== undefined) flagged++;
      }
    }
    // Medians: on a shared machine a mean measures the neighbours' load as much as the index.
    const checkMedian = percentile(durations, 0.5);
    const signatureMedian = percentile(signatureDurations, 0.5);
    const cells = [
      checkpoint.toLocaleString('en-US').padEnd(8),
      milliseconds(percentile(addDurations, 0.5)).padEnd(10),
      milliseconds(checkMedian).padEnd(9),
      milliseconds(percentile(durations, 0.95)).padEnd(9),
      milliseconds(signatureMedian).padEnd(15),
      (signatureMedian / checkMedian).toFixed(2).padEnd(21),
      `${found}/${checks}`.padEnd(12),
      `${flagged}/${checks}`,
    ];
    console.log(cells.join(' | '));
  }
  index.close();
  const bytes = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  console.log(`file: ${(bytes / 1024 / 1024).toFixed(1)} MiB for ${count.toLocaleString('en-US')} conversations (${Math.round(bytes / count)} bytes each)`);

  const conversations = readConversations(CURRENT_DAEMON_FIXTURE);
  const rounds = 200;
  const start = performance.now();
  for (let round = 0; round < rounds; round++) for (const conversation of conversations) validateConversation(conversation, { tools: ADA_TOOL_SCHEMAS });
  const perConversation = (performance.now() - start) / (rounds * conversations.length);
  console.log(`validateConversation (no index): ${milliseconds(perConversation)} per daemon conversation (${conversations.length} conversations × ${rounds})`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
