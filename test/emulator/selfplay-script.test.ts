import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { buildScriptContext } from '../../src/emulator/script-context.js';
import {
  detectSelfplayRole,
  environmentReply,
  requesterReply,
  selfplayAssistantReply,
  type WrongCallKind,
} from '../../src/emulator/selfplay-script.js';
import { parseToolCalls } from '../../src/format/index.js';
import { fillPlaceholders } from '../../src/pipelines/ada/prompt-template.js';
import { environmentInstructions, requestInstructions } from '../../src/pipelines/selfplay/selfplay-mix.js';
import { renderSessionContext, summariseWorkspace } from '../../src/pipelines/selfplay/session-context.js';
import { readWorkspaceReply, type Workspace } from '../../src/pipelines/selfplay/workspace.js';

const PROMPTS = path.resolve(import.meta.dirname, '../../systemprompts/selfplay');
const prompt = (file: string) => readFileSync(path.join(PROMPTS, file), 'utf8');
const TOOLS = [
  { type: 'function', function: { name: 'vault_list_directory', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } },
  { type: 'function', function: { name: 'vault_search_files', parameters: { type: 'object', properties: { path: { type: 'string' }, pattern: { type: 'string' } }, required: ['path', 'pattern'] } } },
];

const message = (role: string, content: string) => ({ role, content, contentIsString: true, toolCallIds: undefined, toolCallId: undefined, prefix: false });
const context = (system: string, user?: string) =>
  buildScriptContext('emulator', [message('system', system), ...(user === undefined ? [] : [message('user', user)])]);

const workspaceFor = (seed: number): Workspace => {
  const system = fillPlaceholders(prompt('environment.md'), { variation_instructions: environmentInstructions('complex') });
  expect(detectSelfplayRole(system)).toBe('environment');
  return readWorkspaceReply(environmentReply(createRandom(seed), context(system)).text);
};

const requestFor = (workspace: Workspace, seed: number, instructions: string) => {
  const system = fillPlaceholders(prompt('user-request.md'), {
    workspace_summary: summariseWorkspace(workspace),
    tool_names: TOOLS.map((tool) => tool.function.name).join(', '),
    request_instructions: instructions,
  });
  expect(detectSelfplayRole(system)).toBe('requester');
  return requesterReply(createRandom(seed), context(system)).text;
};

const assistantSystem = (workspace: Workspace) => {
  const system = fillPlaceholders(prompt('assistant.md'), {
    session_context: renderSessionContext({ sessionId: 'session_1764619200000_abcdefghi', workspaceId: 'ws_1764619200000_abcdefghi', workspace }),
    tools: TOOLS.map((tool) => JSON.stringify(tool)).join('\n'),
  });
  expect(detectSelfplayRole(system)).toBe('assistant');
  return system;
};

describe('the emulator scripts the self-play roles', () => {
  it('the environment step answers a workspace the pipeline reads, sized as the variation asks', () => {
    const workspace = workspaceFor(3);
    expect(workspace.files.length).toBe(12);
    expect(workspace.folders.length).toBeGreaterThan(1);
  });

  it('a tool-based request names what the workspace holds, and the assistant calls a listed tool on it that parses', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const workspace = workspaceFor(seed);
      const request = requestFor(workspace, seed, requestInstructions({ type: 'tool-based', environment: 'complex' }));
      const reply = selfplayAssistantReply(createRandom(seed), context(assistantSystem(workspace), request), 0);
      expect(reply.wrongCall).toBeUndefined();
      const { calls, errors } = parseToolCalls(reply.text);
      expect(errors).toEqual([]);
      expect(calls).toHaveLength(1);
      expect(TOOLS.map((tool) => tool.function.name)).toContain(calls[0]?.name);
    }
  });

  it('a bulk delete gets a confirmation and an unclear request a question, not a call', () => {
    const workspace = workspaceFor(5);
    const bulk = requestFor(workspace, 5, requestInstructions({ type: 'behavioral', environment: 'simple', behavior: 'verification-before-action' }));
    const unclear = requestFor(workspace, 5, requestInstructions({ type: 'behavioral', environment: 'simple', behavior: 'intellectual-humility' }));
    for (const request of [bulk, unclear]) {
      const reply = selfplayAssistantReply(createRandom(1), context(assistantSystem(workspace), request), 1);
      expect(parseToolCalls(reply.text).calls).toEqual([]);
      expect(reply.text).toMatch(/\?$/);
    }
  });

  it('with a wrong share of 1 every call is wrong, in each of the three ways, and says which', () => {
    const seen = new Set<WrongCallKind>();
    for (let seed = 1; seed <= 40; seed++) {
      const workspace = workspaceFor(seed);
      const request = requestFor(workspace, seed, requestInstructions({ type: 'tool-based', environment: 'complex' }));
      const reply = selfplayAssistantReply(createRandom(seed), context(assistantSystem(workspace), request), 1);
      expect(reply.wrongCall).toBeDefined();
      seen.add(reply.wrongCall as WrongCallKind);
      const call = parseToolCalls(reply.text).calls[0];
      if (reply.wrongCall === 'unknown-tool') expect(TOOLS.map((tool) => tool.function.name)).not.toContain(call?.name);
      if (reply.wrongCall === 'bad-arguments') expect(Object.values(call?.arguments ?? {})).toContain(42);
      if (reply.wrongCall === 'missing-context') expect(call?.arguments).toMatchObject({ path: 'no-such-folder/that-was-never-there' });
    }
    expect([...seen].sort()).toEqual(['bad-arguments', 'missing-context', 'unknown-tool']);
  });

  it('Ada’s prompts are not taken for self-play ones', () => {
    const ada = readFileSync(path.resolve(import.meta.dirname, '../../systemprompts/ada.md'), 'utf8');
    const tester = readFileSync(path.resolve(import.meta.dirname, '../../systemprompts/tester.md'), 'utf8');
    expect(detectSelfplayRole(ada)).toBeUndefined();
    expect(detectSelfplayRole(tester)).toBeUndefined();
  });
});
