import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnnotations, type ConversationAnnotations } from '../../../src/format/index.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

interface SelfplayLine {
  id: string;
  conversations: { role: string; content: string }[];
  metadata: Record<string, unknown> & { session_id: string; providers: string[]; agent: { provider: string; model: string }; models: { requester?: string } };
  annotations?: unknown;
}

const readLines = (file: string): SelfplayLine[] =>
  // The invalid file appears at its first line: a short run may have none.
  (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as SelfplayLine);

describe('--annotate on an offline self-play run', () => {
  const workspace = makeTempDir('nightshift-selfplay-annotate-');
  const dataDir = path.join(workspace.path, 'data');
  let result: CliResult;
  let lines: SelfplayLine[];

  beforeAll(async () => {
    result = await runCli(
      ['generate', '--offline', '--pipeline', 'selfplay', '--target', '6', '--num-variations', '2', '--seed', '5', '--annotate', '--data-dir', dataDir, '--log-format', 'json'],
      { cwd: workspace.path, timeoutMs: 120_000 },
    );
    const trainingData = path.join(dataDir, 'trainingData');
    lines = [...readLines(path.join(trainingData, 'selfplay_output.jsonl')), ...readLines(path.join(trainingData, 'selfplay_output_invalid.jsonl'))];
  }, 130_000);
  afterAll(() => workspace.cleanup());

  it('the request and the reply each name the request that made them; answers to one request share its annotation', () => {
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const requestBySession = new Map<string, unknown>();
    for (const line of lines) {
      const annotations = readAnnotations(line.annotations) as ConversationAnnotations;
      expect(annotations).toBeDefined();
      const userIndex = line.conversations.findIndex((message) => message.role === 'user');
      const replyIndex = line.conversations.length - 1;
      const [request, reply] = annotations.messages;
      expect(request).toMatchObject({ messageIndex: userIndex, role: 'user', prompt: { role: 'requester', model: line.metadata.models.requester } });
      expect(line.metadata.providers).toContain(request!.prompt.provider);
      expect(reply).toMatchObject({ messageIndex: replyIndex, role: 'assistant', prompt: { ...line.metadata.agent, role: 'assistant', sampling: { temperature: 0.7 } } });
      // The reply was asked with the request the user message holds, under the assistant prompt naming the offered tools.
      expect(reply!.prompt.request).toEqual([{ role: 'user', content: line.conversations[userIndex]!.content }]);
      expect(annotations.systemPrompts[reply!.prompt.systemPrompt!]).toContain('vault_list_directory');
      const shared = requestBySession.get(line.metadata.session_id);
      if (shared === undefined) requestBySession.set(line.metadata.session_id, request);
      else expect(request).toEqual(shared);
    }
    // Two answers per request: some request was answered twice, each line carrying its annotation.
    expect(requestBySession.size).toBeLessThan(lines.length);
  });
});
