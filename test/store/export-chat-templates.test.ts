/**
 * The openai export, fed as it is to four real models' own chat templates (vendored verbatim in
 * test/fixtures/chat-templates/, sources noted there) through @huggingface/jinja, the engine
 * transformers.js uses. Every example of the daemon-written fixture must render without a raise,
 * show every message's content and every call's name, and carry each call's arguments as one JSON
 * object (not a JSON string encoded a second time), with and without --strip-thinking.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { afterEach, describe, expect, it } from 'vitest';
import { exportConversations } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { LLAMA_3_1_INSTRUCT_TEMPLATE } from '../fixtures/chat-templates/llama-3.1-instruct.js';
import { MISTRAL_7B_INSTRUCT_V0_3_TEMPLATE } from '../fixtures/chat-templates/mistral-7b-instruct-v0.3.js';
import { MISTRAL_NEMO_INSTRUCT_2407_TEMPLATE } from '../fixtures/chat-templates/mistral-nemo-instruct-2407.js';
import { QWEN_2_5_INSTRUCT_TEMPLATE } from '../fixtures/chat-templates/qwen-2.5-instruct.js';
import { FIXTURES, makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');

interface ChatTemplateCase {
  readonly model: string;
  readonly template: string;
  /** The export options the README gives for this model. */
  readonly options: Pick<ExportOptions, 'argumentsAsObjects' | 'splitParallelCalls'>;
  /**
   * What the template leaves out by design (read in its text), so it is not looked for: Mistral's
   * templates put the system prompt only before the last user message of an inference prompt, and
   * print a reply that calls tools as its calls alone.
   */
  readonly omits: { readonly systemPrompt: boolean; readonly textBesideCalls: boolean };
  /** Llama 3.1 prints a tool result through `tojson` (a string is iterable to Jinja). */
  readonly toolResultAsJson: boolean;
}

const CASES: readonly ChatTemplateCase[] = [
  {
    model: 'Qwen2.5-Instruct',
    template: QWEN_2_5_INSTRUCT_TEMPLATE,
    options: { argumentsAsObjects: true },
    omits: { systemPrompt: false, textBesideCalls: false },
    toolResultAsJson: false,
  },
  {
    model: 'Llama-3.1-Instruct',
    template: LLAMA_3_1_INSTRUCT_TEMPLATE,
    options: { argumentsAsObjects: true, splitParallelCalls: true },
    omits: { systemPrompt: false, textBesideCalls: false },
    toolResultAsJson: true,
  },
  {
    model: 'Mistral-Nemo-Instruct-2407',
    template: MISTRAL_NEMO_INSTRUCT_2407_TEMPLATE,
    options: { argumentsAsObjects: true },
    omits: { systemPrompt: true, textBesideCalls: true },
    toolResultAsJson: false,
  },
  {
    model: 'Mistral-7B-Instruct-v0.3',
    template: MISTRAL_7B_INSTRUCT_V0_3_TEMPLATE,
    options: { argumentsAsObjects: true },
    omits: { systemPrompt: true, textBesideCalls: true },
    toolResultAsJson: false,
  },
];

async function exportOpenAi(options: Partial<ExportOptions>): Promise<any[]> {
  const outputPath = path.join(makeTemporaryDirectory(), 'export.jsonl');
  await exportConversations({ format: 'openai', inputPath: FIXTURE, outputPath, includeDryRun: true, ...options });
  return fs
    .readFileSync(outputPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

function render(template: string, record: any): string {
  return new Template(template).render({
    messages: record.messages,
    tools: record.tools,
    bos_token: '<s>',
    eos_token: '</s>',
    add_generation_prompt: false,
  });
}

/** JSON as Python's json.dumps spaces it, which is how these templates' `tojson` prints an object. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}: ${pythonJson(member)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Arguments written as a JSON string and then encoded again: `"arguments": "{\"…` in the prompt. */
const DOUBLE_ENCODED = /"(?:arguments|parameters)": "[{[]/;

describe.each(CASES)('the openai export rendered by the chat template of $model', ({ template, options, omits, toolResultAsJson }) => {
  it.each([false, true])('every example renders, shows every message and call, and no argument is encoded twice (strip thinking: %s)', async (stripThinking) => {
    const records = await exportOpenAi({ ...options, stripThinking });
    expect(records.length).toBeGreaterThanOrEqual(8);
    let calls = 0;
    for (const record of records) {
      const rendered = render(template, record);
      record.messages.forEach((message: any, index: number) => {
        if (message.content === undefined || message.content.trim() === '') return;
        if (omits.systemPrompt && message.role === 'system') return;
        if (omits.textBesideCalls && message.tool_calls !== undefined) return;
        const shown = message.role === 'tool' && toolResultAsJson ? JSON.stringify(message.content) : message.content.trim();
        expect(rendered, `message ${index} (${message.role})`).toContain(shown);
      });
      for (const call of record.messages.flatMap((message: any) => message.tool_calls ?? [])) {
        calls++;
        expect(rendered).toContain(`"${call.function.name}"`);
        expect(rendered).toContain(pythonJson(call.function.arguments));
      }
      expect(rendered).not.toMatch(DOUBLE_ENCODED);
      if (stripThinking) expect(rendered).not.toContain('<think>');
    }
    expect(calls).toBeGreaterThan(0);
  });
});

describe('what the template options are for', () => {
  it('without --arguments-as-objects, a template that applies tojson encodes the JSON-string arguments twice', async () => {
    const [record] = (await exportOpenAi({})).filter((candidate) => candidate.messages.some((message: any) => message.tool_calls?.some((call: any) => call.function.arguments !== '{}')));
    expect(render(QWEN_2_5_INSTRUCT_TEMPLATE, record)).toMatch(DOUBLE_ENCODED);
  });

  it('without --split-parallel-calls, Llama 3.1 refuses the examples with two calls in one reply', async () => {
    const records = await exportOpenAi({ argumentsAsObjects: true });
    const parallel = records.filter((record) => record.messages.some((message: any) => (message.tool_calls?.length ?? 0) > 1));
    expect(parallel.length).toBeGreaterThan(0);
    for (const record of parallel) expect(() => render(LLAMA_3_1_INSTRUCT_TEMPLATE, record)).toThrow('This model only supports single tool-calls at once!');
  });

  it('with ids other than 9 alphanumerics, the Mistral templates raise; the export\'s ids pass', async () => {
    const [record] = (await exportOpenAi({ argumentsAsObjects: true })).filter((candidate) => candidate.messages.some((message: any) => message.tool_calls));
    const renamed = JSON.parse(JSON.stringify(record).replace(/"(?:id|tool_call_id)":"([A-Za-z0-9]{9})"/g, (match) => match.replace(/"([A-Za-z0-9]{9})"$/, '"call_$1"')));
    for (const template of [MISTRAL_NEMO_INSTRUCT_2407_TEMPLATE, MISTRAL_7B_INSTRUCT_V0_3_TEMPLATE]) {
      expect(() => render(template, renamed)).toThrow('Tool call IDs should be alphanumeric strings with length 9!');
      expect(() => render(template, record)).not.toThrow();
    }
  });
});
