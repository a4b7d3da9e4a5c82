import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationAnnotations, SavedConversation } from '../../src/format/index.js';
import { exportConversations, type ExportOptions } from '../../src/store/export-conversations.js';
import { makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const ANNOTATIONS: ConversationAnnotations = {
  systemPrompts: ['You are Ada.', 'You are Ana Lopez, a nurse. Write to Ada.'],
  messages: [
    {
      messageIndex: 1,
      role: 'user',
      prompt: { role: 'tester', provider: 'together', model: 'tester-model', sampling: { temperature: 0.9 }, systemPrompt: 1, request: [{ role: 'user', content: 'Start.' }] },
    },
    {
      messageIndex: 2,
      role: 'assistant',
      prompt: { role: 'assistant', provider: 'together', model: 'ada-model', sampling: { temperature: 0.7 }, systemPrompt: 0, request: [{ role: 'user', content: 'Hi, I am Ana, mail me at ana@example.org' }] },
      originalThinking: 'Ana wants a reply by mail to ana@example.org.',
    },
  ],
};

const LINE: SavedConversation = {
  id: 'conversation-1',
  conversations: [
    { role: 'system', content: 'You are Ada.' },
    { role: 'user', content: 'Hi, I am Ana, mail me at ana@example.org' },
    { role: 'assistant', content: '<think>\nAna wants a reply.\n</think>\n\nHello Ana!' },
  ],
  label: true,
  report: { issues: [] },
  metadata: { pipeline: 'ada', simulatedUser: { id: 'user-1', name: 'Ana Lopez' }, toolCalls: [] },
  annotations: ANNOTATIONS,
};

async function exportLine(options: Partial<ExportOptions> & Pick<ExportOptions, 'format'>): Promise<string> {
  const directory = makeTemporaryDirectory();
  const inputPath = path.join(directory, 'conversations.jsonl');
  fs.writeFileSync(inputPath, `${JSON.stringify(LINE)}\n`);
  const outputPath = path.join(directory, options.format === 'hf' ? 'dataset' : `export.${options.format}`);
  await exportConversations({ inputPath, outputPath, ...options });
  return options.format === 'hf' ? fs.readFileSync(path.join(outputPath, 'data', 'train.jsonl'), 'utf8') : fs.readFileSync(outputPath, 'utf8');
}

describe('exports and annotations (generate --annotate)', () => {
  it('every format drops them by default: nothing of the requests or the original reasoning reaches a training file', async () => {
    for (const format of ['jsonl', 'openai', 'sharegpt', 'json', 'hf'] as const) {
      const text = await exportLine({ format });
      expect(text, format).not.toContain('annotations');
      expect(text, format).not.toContain('Ana wants a reply by mail');
      expect(text, format).not.toContain('You are Ana Lopez, a nurse');
    }
  });

  it('jsonl --keep-annotations keeps them as saved, also with --minimal', async () => {
    const [kept] = readLinesOf(await exportLine({ format: 'jsonl', keepAnnotations: true }));
    expect(Object.keys(kept!)).toEqual(['id', 'conversations', 'metadata', 'annotations']);
    expect(kept!['annotations']).toEqual(ANNOTATIONS);
    const [minimal] = readLinesOf(await exportLine({ format: 'jsonl', keepAnnotations: true, minimal: true }));
    expect(minimal).toEqual({ id: LINE.id, conversations: LINE.conversations, annotations: ANNOTATIONS });
  });

  it('--redact and --anonymize-users reach kept annotations as they reach the messages', async () => {
    const [kept] = readLinesOf(await exportLine({ format: 'jsonl', keepAnnotations: true, redact: true, anonymizeUsers: true }));
    const text = JSON.stringify(kept!['annotations']);
    expect(text).not.toContain('ana@example.org');
    expect(text).not.toMatch(/\bAna\b/);
    expect(text).toContain('<EMAIL>');
  });

  it('--redact and --anonymize-users count only what the export writes: annotations it drops are not counted', async () => {
    const directory = makeTemporaryDirectory();
    const summaryOf = async (line: SavedConversation, name: string, keepAnnotations = false) => {
      const inputPath = path.join(directory, `${name}.jsonl`);
      fs.writeFileSync(inputPath, `${JSON.stringify(line)}\n`);
      const summary = await exportConversations({ inputPath, outputPath: path.join(directory, `${name}-out.jsonl`), format: 'jsonl', redact: true, anonymizeUsers: true, keepAnnotations });
      return summary.privacy;
    };
    const { annotations: _annotations, ...unannotated } = LINE;
    const plain = await summaryOf(unannotated, 'plain');
    expect(plain.redacted.email).toBe(1);
    expect(await summaryOf(LINE, 'annotated')).toEqual(plain);
    // Kept, they are protected and counted like the rest of the line.
    const kept = await summaryOf(LINE, 'kept', true);
    expect(kept.redacted.email).toBeGreaterThan(plain.redacted.email);
  });

  it('--keep-annotations with another format is refused rather than silently ignored', async () => {
    await expect(exportLine({ format: 'openai', keepAnnotations: true })).rejects.toMatchObject({
      code: 'EXPORT_INVALID_OPTIONS',
      message: '--keep-annotations applies only to --format jsonl, got --format openai',
    });
  });

  it('--strip-thinking with --keep-annotations is refused: the kept annotations would carry the reasoning the export removes', async () => {
    const refused = exportLine({ format: 'jsonl', keepAnnotations: true, stripThinking: true });
    await expect(refused).rejects.toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toContain('--strip-thinking and --keep-annotations');
    expect(message).toContain('originalThinking');
    expect(message).toMatch(/export twice/i);
  });
});

function readLinesOf(text: string): Record<string, unknown>[] {
  const directory = makeTemporaryDirectory();
  const file = path.join(directory, 'lines.jsonl');
  fs.writeFileSync(file, text);
  return readLines(file).map((line) => JSON.parse(line) as Record<string, unknown>);
}
