import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { TESTER_PLACEHOLDERS, fillPlaceholders, loadPrompts } from '../../../src/pipelines/ada/index.js';
import { TOOL_NAMES } from '../../../src/tools/index.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const REPOSITORY_PROMPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemprompts');

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A copy of the repository's prompts in a temp dir, to break one file at a time. */
function copyPrompts(): string {
  const directory = makeTempDir();
  cleanups.push(directory.cleanup);
  for (const file of ['ada.md', 'tester.md', 'rewriter.md']) {
    fs.copyFileSync(path.join(REPOSITORY_PROMPTS, file), path.join(directory.path, file));
  }
  return directory.path;
}

describe('the prompt files', () => {
  it("the repository's prompts load and teach what each role needs", () => {
    const prompts = loadPrompts(REPOSITORY_PROMPTS);
    for (const name of TOOL_NAMES) expect(prompts.ada).toContain(name);
    expect(prompts.ada).toContain('<tool_call>{"name": "add_memory", "arguments": {"input_text": [');
    expect(prompts.ada).toContain('<think>');
    for (const name of TESTER_PLACEHOLDERS) expect(prompts.tester).toContain(`{{${name}}}`);
    expect(prompts.tester).not.toContain('<tool_call>');
    expect(prompts.rewriter).toContain('<think>');
  });

  it('a missing prompt file is a ConfigError naming the file and how to fix it', () => {
    const directory = copyPrompts();
    fs.rmSync(path.join(directory, 'tester.md'));
    expect(() => loadPrompts(directory)).toThrow(ConfigError);
    expect(() => loadPrompts(directory)).toThrow(`${path.join(directory, 'tester.md')} does not exist. Create it`);
  });

  it('an empty or blank prompt file is a ConfigError naming the file', () => {
    const directory = copyPrompts();
    fs.writeFileSync(path.join(directory, 'rewriter.md'), '  \n\n');
    expect(() => loadPrompts(directory)).toThrow(ConfigError);
    expect(() => loadPrompts(directory)).toThrow(`${path.join(directory, 'rewriter.md')} is empty`);
  });

  it('a misspelled placeholder in the tester prompt is refused at start', () => {
    const directory = copyPrompts();
    fs.appendFileSync(path.join(directory, 'tester.md'), '\nYou like {{intrests}}.');
    expect(() => loadPrompts(directory)).toThrow(/unknown placeholder\(s\) \{\{intrests\}\}/);
  });

  it('placeholders are filled verbatim; text that looks like a placeholder inside a value is not expanded again', () => {
    expect(fillPlaceholders('Hi {{name}}, {{ topic }}! {{other}}', { name: 'Ana {{topic}}', topic: 'jazz' })).toBe(
      'Hi Ana {{topic}}, jazz! {{other}}',
    );
  });
});

describe('the thinking instruction section of ada.md', () => {
  it('is sent without its marker lines and its exact text is kept apart, for exports to remove', () => {
    const prompts = loadPrompts(REPOSITORY_PROMPTS);
    expect(prompts.ada).not.toContain('<!--');
    expect(prompts.adaThinkingInstruction).toContain('<think>');
    expect(prompts.ada).toContain(prompts.adaThinkingInstruction);
    const without = prompts.ada.replace(prompts.adaThinkingInstruction ?? '', '');
    expect(without).not.toMatch(/<\/?think>/);
  });

  it('unpaired markers are a ConfigError naming the file and the expected markers', () => {
    const directory = copyPrompts();
    const file = path.join(directory, 'ada.md');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('<!-- /thinking -->\n', ''));
    expect(() => loadPrompts(directory)).toThrow(ConfigError);
    expect(() => loadPrompts(directory)).toThrow(/ada\.md marks its thinking instruction wrongly: expected one line `<!-- thinking -->`.*found 1 opening and 0 closing/);
  });
});
