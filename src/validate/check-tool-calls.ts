/**
 * Tool calls and their results. The message text is what a model trains on, so calls are read from
 * it (every syntax the parser knows); each must name a known tool with arguments that match its
 * JSON Schema, and be answered by exactly one `tool` message right after the reply, in order.
 * Whether a tool succeeded is recorded in `metadata.toolCalls[i].ok` (the result text is free
 * prose), so every result must have such a record.
 */
import {
  checkJsonSchema,
  describeViolations,
  parseToolCallSequence,
  readToolCalls,
  type SavedConversation,
  type ToolCallItem,
  type ToolCallRecord,
  type ToolSchema,
} from '../format/index.js';
import { catalogueFromSchemas } from './tool-catalogue.js';
import type { ResolvedContext, ValidationIssue } from './validation-types.js';

function checkCall(item: ToolCallItem, tools: ReadonlyMap<string, ToolSchema>, index: number, position: number): ValidationIssue | undefined {
  const where = `Call ${position + 1} of assistant message ${index}`;
  if (item.kind === 'error') {
    return { level: 'error', code: 'tool-call-unparseable', messageIndex: index, message: `${where} could not be read (${item.error.format} syntax): ${item.error.message}` };
  }
  const tool = tools.get(item.call.name);
  if (tool === undefined) {
    const known = [...tools.keys()].join(', ') || 'none';
    return { level: 'error', code: 'tool-unknown', messageIndex: index, message: `${where} names the tool "${item.call.name}", which is not offered (offered: ${known}).` };
  }
  const violations = checkJsonSchema(item.call.arguments, tool.function.parameters);
  if (violations.length === 0) return undefined;
  return {
    level: 'error',
    code: 'tool-arguments-invalid',
    messageIndex: index,
    message: `${where} (${item.call.name}) has arguments that do not match its schema: ${describeViolations(violations)}.`,
  };
}

/** Indices of the `tool` messages that directly follow message `index`. */
function resultsAfter(conversation: SavedConversation, index: number): number[] {
  const results: number[] = [];
  for (let next = index + 1; conversation.conversations[next]?.role === 'tool'; next++) results.push(next);
  return results;
}

function checkStatuses(conversation: SavedConversation, resultIndices: readonly number[]): ValidationIssue[] {
  if (resultIndices.length === 0) return [];
  const recorded = conversation.metadata['toolCalls'];
  const records = readToolCalls(conversation);
  if (records === undefined) {
    const found = recorded === undefined ? 'no metadata.toolCalls' : 'a metadata.toolCalls that is not a list of call records';
    return [{ level: recorded === undefined ? 'warning' : 'error', code: 'tool-status-missing', message: `The conversation has ${resultIndices.length} tool results but ${found}, so whether each tool succeeded is unknown.` }];
  }
  const byResult = new Map<number, ToolCallRecord[]>();
  for (const record of records) byResult.set(record.resultIndex, [...(byResult.get(record.resultIndex) ?? []), record]);
  const issues: ValidationIssue[] = [];
  for (const index of resultIndices) {
    const found = byResult.get(index) ?? [];
    const record = found[0];
    if (found.length !== 1 || record === undefined || record.ok === undefined) {
      const what = found.length === 0 ? 'no record' : found.length > 1 ? `${found.length} records` : 'a record without "ok"';
      issues.push({ level: 'error', code: 'tool-status-missing', messageIndex: index, message: `Tool result ${index} has ${what} in metadata.toolCalls; expected exactly one, saying whether the tool succeeded.` });
    } else if (!record.ok && record.parseError !== true) {
      issues.push({ level: 'warning', code: 'tool-failed', messageIndex: index, message: `Tool result ${index}: ${record.name} failed (the model is expected to recover from the message it got).` });
    }
  }
  return issues;
}

export function checkToolCalls(conversation: SavedConversation, context: ResolvedContext): ValidationIssue[] {
  const tools = new Map(context.tools.map((tool) => [tool.function.name, tool]));
  const catalogue = catalogueFromSchemas(context.tools);
  const issues: ValidationIssue[] = [];
  const answered: number[] = [];
  conversation.conversations.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const items = parseToolCallSequence(message.content, { catalogue });
    const results = resultsAfter(conversation, index);
    items.forEach((item, position) => {
      const issue = checkCall(item, tools, index, position);
      if (issue !== undefined) issues.push(issue);
    });
    if (items.length > results.length) {
      issues.push({
        level: 'error',
        code: 'tool-result-missing',
        messageIndex: index,
        message: `Assistant message ${index} makes ${items.length} tool calls but ${results.length} results follow it; every call has exactly one result.`,
      });
    }
    results.slice(items.length).forEach((resultIndex) => {
      issues.push({
        level: 'error',
        code: 'tool-result-unexpected',
        messageIndex: resultIndex,
        message: `Tool result ${resultIndex} answers no call: assistant message ${index} makes ${items.length} tool calls and ${results.length} results follow it.`,
      });
    });
    answered.push(...results.slice(0, items.length));
  });
  return [...issues, ...checkStatuses(conversation, answered)];
}
