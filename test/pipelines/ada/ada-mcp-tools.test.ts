import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RoleRequest } from '../../../src/core/types.js';
import type { ToolSchema } from '../../../src/format/index.js';
import { validateConversation } from '../../../src/validate/index.js';
import { openMcpTools, type McpTools } from '../../../src/tools/mcp/index.js';
import { memoryServer } from '../../helpers/mcp-servers.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createPipelineFixture, PROMPTS, toolCallsOf, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

const REMEMBER = '<think>Keep Biscuit in the knowledge graph.</think>\n<tool_call>{"name": "memory_create_entities", "arguments": {"entities": [{"name": "Biscuit", "entityType": "dog", "observations": ["barks at the postman"]}]}}</tool_call>';
const READ_GRAPH = '<think>What does the graph hold?</think>\n<tool_call>{"name": "memory_read_graph", "arguments": {}}</tool_call>';

/** The last user-side message of a request: tool results reach the model there, as `<tool_response>` blocks. */
function lastToolResult(request: RoleRequest): string {
  return [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

/**
 * Ada with extra tools from a real MCP server (@modelcontextprotocol/server-memory, from npm),
 * next to her own memory and diary: offered in her prompt, executed on the server in the
 * conversation's own sandbox, the result sent back to her, declared in `metadata.tools`.
 */
describe('Ada with tools from an MCP server', () => {
  let sandboxes: { path: string; cleanup: () => void };
  let mcp: McpTools;
  let fixture: PipelineFixture | undefined;
  beforeAll(async () => {
    sandboxes = makeTempDir('nightshift-ada-mcp-');
    mcp = await openMcpTools({ memory: memoryServer() }, { sandboxRoot: sandboxes.path });
  });
  afterEach(() => {
    fixture?.close();
    fixture = undefined;
  });
  afterAll(async () => {
    await mcp.close();
    sandboxes.cleanup();
  });

  function run(conversationId: string, firstCall: string) {
    fixture ??= createPipelineFixture({ turns: { min: 1, max: 1 }, mcp });
    const requester = createScriptedRequester({
      tester: () => 'my dog Biscuit keeps barking at the postman',
      assistant: (_request, count) => (count === 1 ? firstCall : '<think>Answer from what the tool said.</think>\nNoted, Biscuit the barker.'),
      rewriter: echoRewriter,
    });
    return { requester, saved: fixture.pipeline.run({ conversationId, requester, signal: new AbortController().signal }) };
  }

  it('offers the server tools in her prompt, runs her call on the server and sends her the result', async () => {
    const { requester, saved: pending } = run('ada-mcp-1', REMEMBER);
    const saved = await pending;
    const system = saved.conversations[0]?.content ?? '';
    expect(system.startsWith(PROMPTS.ada.trimEnd())).toBe(true);
    expect(system).toMatch(/<tools>[\s\S]*"name": ?"memory_create_entities"[\s\S]*<\/tools>/);

    const [call] = toolCallsOf(saved);
    expect(call).toMatchObject({ name: 'memory_create_entities', ok: true });
    const result = saved.conversations[call!.resultIndex]!;
    expect(result.role).toBe('tool');
    // The server's own answer: the entity it created, as JSON.
    expect(result.content).toContain('"name": "Biscuit"');
    const second = requester.requests.filter((request) => request.role === 'assistant')[1]!;
    expect(lastToolResult(second)).toContain('Biscuit');

    const offered = (saved.metadata.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(offered).toEqual(expect.arrayContaining(['add_memory', 'recall_diary', 'memory_create_entities', 'memory_read_graph']));
    // Judged with every tool she was offered: a call to a server tool is no unknown tool.
    expect(validateConversation(saved, { tools: saved.metadata.tools as ToolSchema[] }).report.issues.map((issue) => issue.code)).not.toContain('tool-unknown');
  });

  it('keeps each conversation in its own sandbox: a second one reads an empty graph, and no sandbox is left', async () => {
    await run('ada-mcp-2', REMEMBER).saved;
    const saved = await run('ada-mcp-3', READ_GRAPH).saved;
    const [call] = toolCallsOf(saved);
    expect(call).toMatchObject({ name: 'memory_read_graph', ok: true });
    expect(saved.conversations[call!.resultIndex]?.content).not.toContain('Biscuit');
    expect(readdirSync(sandboxes.path).filter((entry) => !entry.startsWith('.'))).toEqual([]);
  });

  it('a conversation that never calls a server tool starts no server process for itself', async () => {
    const before = mcp.processes().length;
    const saved = await run('ada-mcp-4', '<think>Nothing to look up.</think>\nThat sounds noisy!').saved;
    expect(toolCallsOf(saved)).toEqual([]);
    expect(mcp.processes().length).toBe(before);
  });
});
