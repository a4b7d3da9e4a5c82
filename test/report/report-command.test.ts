import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report-command.js';
import type { QualityReport } from '../../src/report/index.js';
import { captureStream } from '../helpers/capture-stream.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const directories: { cleanup(): void }[] = [];
afterEach(() => directories.splice(0).forEach((directory) => directory.cleanup()));

const think = (reasoning: string, reply: string) => `<think>\n${reasoning}\n</think>\n\n${reply}`;
const call = (name: string, args: object) => `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`;

/** Ada's line shape, reduced to what the report reads. */
function adaLine(id: string, fields: { provider: string; model: string; createdAt: string; user: string; topic: string; label: boolean; issues?: object[]; judge?: number; userText: string; reply: string; calls?: { name: string; ok: boolean }[] }) {
  const conversations = [
    { role: 'system', content: 'You are Ada.' },
    { role: 'user', content: fields.userText },
    { role: 'assistant', content: fields.reply },
    ...(fields.calls ?? []).map(() => ({ role: 'tool', content: 'done' })),
  ];
  const model = { provider: fields.provider, model: fields.model };
  return {
    id,
    conversations,
    label: fields.label,
    report: { issues: fields.issues ?? [], ...(fields.judge === undefined ? {} : { judge: { score: fields.judge, helpfulness: fields.judge, toolUse: 5, faithfulness: 5, reason: 'fine', provider: 'mistral', model: 'judge-model' } }) },
    metadata: {
      pipeline: 'ada',
      pipelineVersion: '1.4.0',
      dryRun: false,
      createdAt: fields.createdAt,
      simulatedUser: { id: `user-${fields.user}`, name: fields.user },
      topic: fields.topic,
      providers: [fields.provider],
      messages: [null, { provider: fields.provider, model: 'tester' }, model, ...(fields.calls ?? []).map(() => null)],
      toolCalls: (fields.calls ?? []).map((entry, index) => ({ messageIndex: 2, resultIndex: 3 + index, name: entry.name, arguments: {}, ok: entry.ok })),
      usage: { inputTokens: 1_000_000, outputTokens: 100_000 },
    },
  };
}

const V1 = adaLine('v1', {
  provider: 'mistral', model: 'm-large', createdAt: '2026-01-01T00:00:10.000Z', user: 'Ana', topic: 'music', label: true, judge: 4,
  userText: 'Hi Ada, mail me at ana@example.org about the concert.', reply: think('Save it.', `Noted! ${call('add_memory', { input_text: ['jazz'] })}`),
  calls: [{ name: 'add_memory', ok: true }],
});
const V2 = adaLine('v2', {
  provider: 'together', model: 't-70b', createdAt: '2026-01-01T00:01:30.000Z', user: 'Bob', topic: 'cooking', label: true, judge: 2,
  issues: [{ level: 'warning', code: 'near-duplicate', message: 'The opening request and replies are 85 % alike (estimated) to conversation v1, saved earlier.' }],
  userText: 'Hi Ada, what should I cook tonight?', reply: `No thinking here. ${call('add_memory', { input_text: ['risotto'] })}`,
  calls: [{ name: 'add_memory', ok: false }],
});
const INVALID = adaLine('x1', {
  provider: 'mistral', model: 'm-large', createdAt: '2026-01-01T00:02:30.000Z', user: 'Ana', topic: 'music', label: false,
  issues: [
    { level: 'error', code: 'refusal', message: 'The reply refuses.' },
    { level: 'error', code: 'near-duplicate', message: 'The opening request and replies are 97 % alike (estimated) to conversation v2, saved earlier.' },
  ],
  userText: 'Hi Ada, what should I cook tonight, again?', reply: think('Refuse.', "I'm sorry, I can't help with that."),
});
const SELFPLAY = {
  id: 's1',
  conversations: [
    { role: 'user', content: 'Read my note a.md' },
    { role: 'assistant', content: call('vault_read_file', { path: 'a.md' }) },
  ],
  label: true,
  report: { issues: [] },
  metadata: {
    pipeline: 'selfplay', dryRun: true, session_id: 'session_1767225630000_abcdefghi', type: 'tool-based', environment_variation: 'simple',
    agent: { provider: 'huggingface', model: 'qwen' }, execution: { ok: true, content: 'text' },
  },
};

function writeDataDir(): string {
  const directory = makeTempDir('nightshift-report-');
  directories.push(directory);
  const training = path.join(directory.path, 'trainingData');
  mkdirSync(training);
  const lines = (items: unknown[]) => `${items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n')}\n`;
  writeFileSync(path.join(training, 'conversations.jsonl'), lines([V1, V2, 'not json at all', SELFPLAY]));
  writeFileSync(path.join(training, 'conversations_invalid.jsonl'), lines([INVALID]));
  writeFileSync(
    path.join(directory.path, 'rejects.jsonl'),
    lines([
      { id: 'r1', reason: 'provider_failed', failedStep: 'assistant', steps: [] },
      { id: 'r2', reason: 'provider_failed', failedStep: 'tester', steps: [] },
      { id: 'r3', reason: 'deadline', failedStep: 'assistant', steps: [] },
      { id: 'r4' },
    ]),
  );
  writeFileSync(path.join(training, 'conversations.manifest.json'), JSON.stringify({ pipeline: { name: 'ada', version: '1.4.0' } }));
  writeFileSync(
    path.join(directory.path, 'secrets.json'),
    JSON.stringify({ mistral_api_key: 'sk-never-printed-0123456789abcdef', prices: { 'm-large': { input_per_million: 2, output_per_million: 6 } } }),
  );
  return directory.path;
}

async function report(dataDir: string, extra: string[] = []) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runReportCommand(['--data-dir', dataDir, ...extra], { stdout, stderr, now: () => new Date('2026-01-02T00:00:00Z') });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('npm run report on hand-made lines', () => {
  it('counts valid, invalid, rejected by reason and skipped lines exactly', async () => {
    const dataDir = writeDataDir();
    const result = await report(dataDir);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
    expect(json.counts).toEqual({ valid: 3, invalid: 1, rejected: 3, validityRate: 0.75, badLines: 2, dryRun: 1 });
    expect(json.rejects).toEqual({ byReason: { provider_failed: 2, deadline: 1 }, byFailedStep: { assistant: 2, tester: 1 } });
    expect(json.pipelines).toEqual({ ada: 3, selfplay: 1 });
    expect(json.issues).toEqual({ 'near-duplicate': { errors: 1, warnings: 1 }, refusal: { errors: 1, warnings: 0 } });
    expect(json.manifest).toEqual({ pipeline: { name: 'ada', version: '1.4.0' } });
    expect(result.stdout).toContain('3 valid, 1 invalid (validity 75.0 %), 3 rejected, 2 unreadable line(s) skipped');
    expect(result.stdout).toContain('Rejected by reason: provider_failed 2, deadline 1');
    // The page shows both tables the README lists, not only the reasons.
    const html = readFileSync(path.join(dataDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Rejected, by failed step</h2>');
    expect(html).toContain('<td>assistant</td><td data-figure="rejects.byFailedStep.assistant">2</td>');
  });

  it('reads tools, thinking, refusals, duplicates, coverage and private data from both pipelines', async () => {
    const dataDir = writeDataDir();
    await report(dataDir);
    const json = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
    expect(json.tools).toEqual({
      conversationsWithCalls: 3,
      share: 0.75,
      calls: { add_memory: { calls: 2, succeeded: 1, successRate: 0.5 }, vault_read_file: { calls: 1, succeeded: 1, successRate: 1 } },
      // No line was made with --tool-share.
      toolShare: null,
    });
    expect(json.thinking).toEqual({ replies: 4, withThinking: 2, coverage: 0.5 });
    expect(json.refusals).toEqual({ conversations: 1, rate: 0.25 });
    expect(json.nearDuplicates.flagged).toBe(2);
    expect(json.nearDuplicates.clusterCount).toBe(1);
    expect(json.nearDuplicates.clusters[0]?.size).toBe(3);
    expect([...(json.nearDuplicates.clusters[0]?.ids ?? [])].sort()).toEqual(['v1', 'v2', 'x1']);
    expect(json.nearDuplicates.clusters[0]?.examples).toEqual(['Hi Ada, what should I cook tonight?', 'Hi Ada, what should I cook tonight, again?']);
    expect(json.distributions.turns.counts.slice(0, 3)).toEqual([0, 4, 0]);
    expect(json.coverage.topics).toEqual({ distinct: 2, top: [{ name: 'music', count: 2 }, { name: 'cooking', count: 1 }], capped: false });
    expect(json.coverage.users.distinct).toBe(2);
    expect(json.coverage.environments.top).toEqual([{ name: 'simple', count: 1 }]);
    expect(json.privateData).toEqual({ email: 1, phone: 0, ip: 0, card: 0, key: 0 });
    expect(json.diversity.sampledConversations).toBe(4);
    expect(json.diversity.distinct1).toBeGreaterThan(0);
  });

  it('gives each provider and model its validity, judge score, tokens and cost at its price', async () => {
    const dataDir = writeDataDir();
    const result = await report(dataDir);
    const json = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
    expect(json.providers[0]).toEqual({
      provider: 'mistral', model: 'm-large', conversations: 2, valid: 1, invalid: 1, validityRate: 0.5,
      meanJudgeScore: 4, judged: 1, tokens: { input: 2_000_000, output: 200_000 }, costUsd: 5.2,
    });
    expect(json.providers.find((entry) => entry.model === 't-70b')).toMatchObject({ meanJudgeScore: 2, costUsd: null });
    expect(json.providers.find((entry) => entry.model === 'qwen')).toMatchObject({ provider: 'huggingface', conversations: 1, validityRate: 1 });
    expect(`${result.stdout}${readFileSync(path.join(dataDir, 'report.json'), 'utf8')}${readFileSync(path.join(dataDir, 'report.html'), 'utf8')}`).not.toContain('sk-never-printed');
  });

  it('places every line in time: Ada by createdAt, self-play by its session id', async () => {
    const dataDir = writeDataDir();
    await report(dataDir);
    const json = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
    expect(json.timeline.bucketSeconds).toBe(60);
    expect(json.timeline.points).toEqual([
      { start: Date.parse('2026-01-01T00:00:00Z'), valid: 2, invalid: 0 },
      { start: Date.parse('2026-01-01T00:01:00Z'), valid: 1, invalid: 0 },
      { start: Date.parse('2026-01-01T00:02:00Z'), valid: 0, invalid: 1 },
    ]);
  });

  it('escapes model text in the page: a reply that writes a script tag is shown, not run', async () => {
    const dataDir = writeDataDir();
    const hostile = adaLine('h1', {
      provider: 'mistral', model: 'm-large', createdAt: '2026-01-01T00:03:00.000Z', user: 'Eve', topic: '</script><script>alert(1)</script>', label: true,
      userText: '<img src=x onerror=alert(2)>', reply: think('x', 'fine'),
    });
    writeFileSync(path.join(dataDir, 'trainingData', 'conversations.jsonl'), `${JSON.stringify(hostile)}\n`);
    await report(dataDir);
    const html = readFileSync(path.join(dataDir, 'report.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('refuses to guess between two outputs, and says when there is none', async () => {
    const dataDir = writeDataDir();
    writeFileSync(path.join(dataDir, 'trainingData', 'selfplay_output.jsonl'), `${JSON.stringify(SELFPLAY)}\n`);
    const both = await report(dataDir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('say which with --output FILE');
    const chosen = await report(dataDir, ['--output', path.join(dataDir, 'trainingData', 'selfplay_output.jsonl')]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toContain('1 valid, 0 invalid');
    expect(chosen.stdout).toContain('huggingface / qwen: 1 conversation, validity 100.0 %');
    const empty = makeTempDir('nightshift-report-empty-');
    directories.push(empty);
    const none = await report(empty.path);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no output to report on: neither conversations.jsonl nor selfplay_output.jsonl is in ${path.join(empty.path, 'trainingData')}.`);
  });
});
