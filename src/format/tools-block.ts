/**
 * The `<tools>` block of a Hermes/Qwen system prompt: one function-tool JSON object per line,
 * spaced as the chat templates' `tojson` writes it, so a prompt built here reads like the ones
 * those models were trained on. Any pipeline's tools (Ada's, an MCP server's) render the same way.
 */
import { toSpacedJson } from './format-tool-call.js';
import type { ToolSchema } from './tool-schema.js';

export function renderToolsBlock(tools: readonly ToolSchema[]): string {
  return `<tools>\n${tools.map((tool) => toSpacedJson(tool)).join('\n')}\n</tools>`;
}
