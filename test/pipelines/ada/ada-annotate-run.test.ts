import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../../src/cli/export-command.js';
import { runReportCommand } from '../../../src/cli/report-command.js';
import { DashboardData } from '../../../src/dashboard/dashboard-data.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { findThinkBlocks, readAnnotations, type ConversationAnnotations, type SavedConversation } from '../../../src/format/index.js';
import { shapeAssistantRequest, shapeTesterRequest } from '../../../src/pipelines/ada/shape-messages.js';
import { validateConversation } from '../../../src/validate/index.js';
import { ADA_TOOL_SCHEMAS } from '../../../src/tools/index.js';
import { captureStream } from '../../helpers/capture-stream.js';
import { EMULATOR_MODELS, TEST_KEYS, prepareDaemonData, spawnDaemon } from '../../helpers/daemon.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const readJsonLines = (file: string): SavedConversation[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as SavedConversation) : [];

// Requests are sent trimmed (alternateRoles).
const REWRITER_PROMPT = readFileSync(path.resolve('systemprompts/rewriter.md'), 'utf8').trim();
const ROLE_OF = { user: 'tester', assistant: 'assistant' } as const;

/** The request an annotation names, whole: its system prompt put back in front. */
function wholeRequest(annotations: ConversationAnnotations, prompt: ConversationAnnotations['messages'][number]['prompt']) {
  const system = prompt.systemPrompt === undefined ? [] : [{ role: 'system', content: annotations.systemPrompts[prompt.systemPrompt] }];
  return [...system, ...prompt.request];
}

describe('--annotate keeps, beside each saved line, the request behind every generated message and the reasoning the rewriter replaced', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let valid: SavedConversation[];
  let invalid: SavedConversation[];
  let sampling: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 11, defaults: { latency: { medianMs: 10, sigma: 0.2 } } });
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'annotated');
    // Two providers, so the provider an annotation names is a fact to check, not the only one there is.
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 100 }, mistral: { requestsPerSecond: 100 } });
    const daemon = spawnDaemon(['--target', '8', '--data-dir', dataDir, '--turns', '1-3', '--annotate'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    valid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    invalid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl'));
    const manifest = JSON.parse(readFileSync(path.join(dataDir, 'trainingData', 'conversations.manifest.json'), 'utf8'));
    sampling = manifest.combinations.find((combination: { fingerprint: string }) => combination.fingerprint === manifest.current).sampling;
  }, 90_000);
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('every user and assistant message has one annotation naming the role, instance, configured model, sampling and exact request that made it', () => {
    expect(valid).toHaveLength(8);
    const providers = new Set<string>();
    for (const line of [...valid, ...invalid]) {
      const annotations = readAnnotations(line.annotations);
      expect(annotations, JSON.stringify(line.annotations)?.slice(0, 500)).toBeDefined();
      const generated = line.conversations.flatMap((message, index) => (message.role === 'user' || message.role === 'assistant' ? [index] : []));
      expect(annotations!.messages.map((annotation) => annotation.messageIndex)).toEqual(generated);
      const sources = line.metadata['messages'] as ({ provider: string; model: string } | null)[];
      for (const annotation of annotations!.messages) {
        const index = annotation.messageIndex;
        const message = line.conversations[index]!;
        const role = ROLE_OF[message.role as 'user' | 'assistant'];
        expect(annotation.role).toBe(message.role);
        expect(annotation.prompt).toMatchObject({ role, provider: sources[index]!.provider, model: EMULATOR_MODELS[role] });
        expect(annotation.prompt.sampling).toEqual(sampling[role]);
        providers.add(annotation.prompt.provider);
        const before = line.conversations.slice(0, index);
        if (message.role === 'user') {
          // The tester's prompt is filled per user and topic: the request is rebuilt from it and what came before.
          const testerPrompt = annotations!.systemPrompts[annotation.prompt.systemPrompt!]!;
          expect(testerPrompt).toContain((line.metadata['simulatedUser'] as { name: string }).name);
          expect(wholeRequest(annotations!, annotation.prompt)).toEqual(shapeTesterRequest(testerPrompt, before));
        } else {
          expect(annotations!.systemPrompts[annotation.prompt.systemPrompt!]).toBe(line.conversations[0]!.content);
          // A reply to the user saw earlier turns without their reasoning, so rewriting them changed nothing it was sent.
          if (line.conversations[index - 1]!.role === 'user') expect(wholeRequest(annotations!, annotation.prompt)).toEqual(shapeAssistantRequest(before));
          else expect(annotation.prompt.request.at(-1)!.content).toContain('<tool_response>');
        }
      }
      // Ada's system prompt, the tester's and the rewriter's, each kept once however many requests used it.
      expect(new Set(annotations!.systemPrompts).size).toBe(annotations!.systemPrompts.length);
    }
    expect([...providers].sort()).toEqual(['mistral', 'together']);
  });

  it('each rewritten reply keeps the reasoning it replaced and the rewriter requests that replaced it', () => {
    let rewritten = 0;
    for (const line of [...valid, ...invalid]) {
      const annotations = readAnnotations(line.annotations)!;
      const rewrites = (line.metadata['rewrite'] as { messages: { messageIndex: number; blocks: number; provider: string }[] }).messages;
      expect(rewrites.length).toBeGreaterThan(0);
      for (const rewrite of rewrites) {
        const annotation = annotations.messages.find((candidate) => candidate.messageIndex === rewrite.messageIndex)!;
        const saved = findThinkBlocks(line.conversations[rewrite.messageIndex]!.content)[0]!.reasoning.trim();
        expect(annotation.originalThinking).toBeTruthy();
        expect(annotation.originalThinking).not.toBe(saved);
        expect(annotation.rewritePrompts).toHaveLength(rewrite.blocks);
        const request = annotation.rewritePrompts![0]!;
        expect(request).toMatchObject({ role: 'rewriter', provider: rewrite.provider, model: EMULATOR_MODELS.rewriter, sampling: sampling['rewriter'] });
        expect(annotations.systemPrompts[request.systemPrompt!]).toBe(REWRITER_PROMPT);
        expect(request.request[0]!.content.startsWith(`<think>\n${annotation.originalThinking}\n</think>`)).toBe(true);
        rewritten++;
      }
      const rewrittenIndices = new Set(rewrites.map((rewrite) => rewrite.messageIndex));
      for (const annotation of annotations.messages) {
        if (!rewrittenIndices.has(annotation.messageIndex)) expect(annotation.originalThinking).toBeUndefined();
      }
    }
    expect(rewritten).toBeGreaterThanOrEqual(valid.length);
  });

  it('the validator, the report and the dashboard read annotated lines as they read the others, and no key is in any file', async () => {
    for (const line of [...valid, ...invalid]) {
      const { annotations, ...plain } = line;
      expect(annotations).toBeDefined();
      expect(validateConversation(line, { tools: ADA_TOOL_SCHEMAS })).toEqual(validateConversation(plain, { tools: ADA_TOOL_SCHEMAS }));
    }
    const stdout = captureStream();
    expect(await runReportCommand(['--data-dir', dataDir], { stdout, stderr: captureStream() })).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8'));
    expect(report.counts).toMatchObject({ valid: valid.length, invalid: invalid.length, badLines: 0 });
    const dashboard = new DashboardData({ dataDirectory: dataDir });
    await dashboard.refresh();
    expect(dashboard.snapshot().quality).toMatchObject({ valid: valid.length, invalid: invalid.length, unreadable: 0 });
    for (const file of readdirSync(path.join(dataDir, 'trainingData'))) {
      const text = readFileSync(path.join(dataDir, 'trainingData', file), 'utf8');
      for (const key of Object.values(TEST_KEYS)) expect(text, file).not.toContain(key);
    }
  });

  it('exports drop the annotations; jsonl keeps them with --keep-annotations, renumbered when the system prompt goes', async () => {
    const input = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const exported = async (name: string, ...flags: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> => {
      const output = path.join(workspace.path, name);
      const stderr = captureStream();
      const code = await runExportCommand(['--input', input, '--output', output, ...flags], { stdout: captureStream(), stderr });
      return { code, stderr: stderr.text(), lines: code === 0 ? readJsonLines(output).map((line) => line as unknown as Record<string, unknown>) : [] };
    };
    for (const format of ['jsonl', 'openai', 'sharegpt']) {
      const { code, lines } = await exported(`plain.${format}.jsonl`, '--format', format);
      expect(code).toBe(0);
      expect(lines).toHaveLength(valid.length);
      for (const line of lines) expect(line).not.toHaveProperty('annotations');
    }
    const kept = await exported('kept.jsonl', '--format', 'jsonl', '--keep-annotations');
    expect(kept.lines.map((line) => line['annotations'])).toEqual(valid.map((line) => line.annotations));
    const withoutSystem = await exported('no-system.jsonl', '--format', 'jsonl', '--keep-annotations', '--no-system-prompt');
    withoutSystem.lines.forEach((line, number) => {
      const annotations = readAnnotations(line['annotations'])!;
      const conversations = line['conversations'] as { role: string; content: string }[];
      expect(annotations.messages.map((annotation) => annotation.messageIndex)).toEqual(readAnnotations(valid[number]!.annotations)!.messages.map((annotation) => annotation.messageIndex - 1));
      for (const annotation of annotations.messages) expect(conversations[annotation.messageIndex]!.role).toBe(annotation.role);
    });
    const refused = await exported('refused.jsonl', '--format', 'openai', '--keep-annotations');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--keep-annotations applies only to --format jsonl, got --format openai');
  });

  it('without --annotate a line carries no annotations', async () => {
    const plainDir = path.join(workspace.path, 'plain');
    const env = prepareDaemonData(plainDir, emulator, { together: { requestsPerSecond: 100 } });
    const daemon = spawnDaemon(['--target', '2', '--data-dir', plainDir, '--turns', '1'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    const lines = readJsonLines(path.join(plainDir, 'trainingData', 'conversations.jsonl'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toHaveProperty('annotations');
  }, 60_000);
});
