import type { Workspace } from './workspace.js';

export interface SessionContext {
  readonly sessionId: string;
  readonly workspaceId: string;
  readonly workspace: Workspace;
}

/**
 * The `<session_context>` block the assistant sees: the ids the program made and the workspace the
 * user is in. Behavioral examples keep it as their system prompt in the saved example; tool-based
 * ones are saved without it (the fine-tuned model works from the request alone).
 */
export function renderSessionContext(context: SessionContext): string {
  const { workspace } = context;
  return [
    '<session_context>',
    `<session_id>${context.sessionId}</session_id>`,
    '<current_workspace>',
    `<workspace_id>${context.workspaceId}</workspace_id>`,
    `<name>${escapeText(workspace.name)}</name>`,
    `<description>${escapeText(workspace.description)}</description>`,
    `<root>${escapeText(workspace.root)}</root>`,
    '</current_workspace>',
    '</session_context>',
  ].join('\n');
}

/** The folder tree the user remembers, for the user-request prompt: paths only, no file contents. */
export function summariseWorkspace(workspace: Workspace): string {
  const lines = [`${workspace.name}: ${workspace.description}`, `root folder: ${workspace.root}/`];
  for (const folder of workspace.folders) lines.push(`- ${folder}/`);
  for (const file of workspace.files) lines.push(`- ${file.path}`);
  return lines.join('\n');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
