import { pick, type Random } from '../core/random.js';
import type { ScriptContext } from './script-context.js';
import { visibleText } from './script-text.js';
import { renderToolCalls, TOOL_CALL_FORMATS, type ScriptedToolCall } from './tool-call-formats.js';

/**
 * The self-play pipeline's three roles, scripted: the environment step answers with a workspace in
 * JSON, the requester with a vague request about a file or folder that workspace really has, and
 * the assistant with one tool call on a tool its prompt lists (or, for a request that calls for it,
 * a question instead). A settable share of the assistant's calls is wrong on purpose, in one of
 * three ways, so that tests can hold the pipeline's labels against what was injected.
 */

export const WRONG_CALL_KINDS = ['unknown-tool', 'bad-arguments', 'missing-context'] as const;
export type WrongCallKind = (typeof WRONG_CALL_KINDS)[number];

export interface SelfplayReply {
  readonly text: string;
  /** Set when the assistant's call was made wrong on purpose. */
  readonly wrongCall?: WrongCallKind;
}

const ENVIRONMENT_MARKER = /invent the workspace/i;
const REQUESTER_MARKER = /write the one\s+message this person sends/i;
const JUDGE_MARKER = /^You judge whether an assistant's response shows a behavior/;
const SESSION_CONTEXT = '<session_context>';

export type SelfplayRole = 'environment' | 'requester' | 'assistant' | 'judge';

/** Which self-play step a request is for, read from its system prompt; undefined when it is none. */
export function detectSelfplayRole(systemPrompt: string): SelfplayRole | undefined {
  if (JUDGE_MARKER.test(systemPrompt)) return 'judge';
  if (ENVIRONMENT_MARKER.test(systemPrompt)) return 'environment';
  if (REQUESTER_MARKER.test(systemPrompt)) return 'requester';
  if (systemPrompt.includes(SESSION_CONTEXT) && systemPrompt.includes('<tools>')) return 'assistant';
  return undefined;
}

const THEMES = [
  { name: 'Kitchen notes', root: 'kitchen', folders: ['recipes', 'restaurants', 'shopping'], stems: ['mexican-restaurants', 'sourdough-starter', 'weekly-groceries', 'ramen-places', 'birthday-menu'] },
  { name: 'Thesis vault', root: 'thesis', folders: ['chapters', 'papers', 'meetings'], stems: ['chapter-2-methods', 'smith-2021-notes', 'supervisor-2026-10-03', 'outline-v3', 'open-questions'] },
  { name: 'Side projects', root: 'projects', folders: ['garden-app', 'blog', 'archive'], stems: ['roadmap', 'bug-list', 'post-ideas', 'old-logo-brief', 'launch-checklist'] },
  { name: 'Home admin', root: 'home', folders: ['bills', 'car', 'travel'], stems: ['electricity-2026', 'car-insurance', 'lisbon-trip', 'passport-renewal', 'boiler-service'] },
] as const;

/** The environment step: a workspace of the theme, its size following the variation asked for. */
export function environmentReply(random: Random, context: ScriptContext): SelfplayReply {
  const theme = pick(random, THEMES);
  const size = /3 to 5 files/.test(context.systemPrompt) ? 4 : /10 to 15/.test(context.systemPrompt) ? 12 : 8;
  const files: Array<{ path: string; content: string }> = [];
  for (let index = 0; index < size; index++) {
    const folder = theme.folders[index % theme.folders.length] as string;
    const stem = theme.stems[index % theme.stems.length] as string;
    const name = index < theme.stems.length ? stem : `${stem}-${index}`;
    files.push({ path: `${folder}/${name}.md`, content: `# ${name.replace(/-/g, ' ')}\n- noted on 2026-0${1 + (index % 9)}-1${index % 10}` });
  }
  const workspace = { name: theme.name, description: `The ${theme.name.toLowerCase()} of one person.`, root: theme.root, files, folders: [...theme.folders, 'inbox'] };
  return { text: `\`\`\`json\n${JSON.stringify(workspace, null, 2)}\n\`\`\`` };
}

/** The requester: vague about a file or folder the workspace summary in its prompt really lists. */
export function requesterReply(random: Random, context: ScriptContext): SelfplayReply {
  const section = /## The workspace as the person knows it\n([\s\S]*?)(?:\n## |$)/.exec(context.systemPrompt)?.[1] ?? '';
  const paths = [...section.matchAll(/^- (\S[^\n]*?)(\/)?$/gm)].map((match) => ({ path: match[1] as string, folder: match[2] === '/' }));
  const files = paths.filter((entry) => !entry.folder).map((entry) => entry.path);
  const folders = paths.filter((entry) => entry.folder).map((entry) => entry.path);
  const folder = folders.length > 0 ? pick(random, folders) : 'notes';
  const file = files.length > 0 ? pick(random, files) : `${folder}/notes.md`;
  const stem = (file.split('/').pop() ?? file).replace(/\.md$/, '');
  const fuzzy = stem.split('-')[0] ?? stem;
  const prompt = context.systemPrompt;
  // Behavioral requests keep their wording: the scripted assistant recognises them by it.
  if (/confirms before/.test(prompt)) return { text: `delete everything old in ${folder}, i dont need any of it` };
  if (/asks a clarifying question/.test(prompt)) return { text: `can you fix the note about ${fuzzy}? the one from last time` };
  if (/picks that one/.test(prompt)) return { text: `where did i write about ${fuzzy}` };
  if (/looks before acting/.test(prompt)) return { text: `open my ${fuzzy} stuff, i think its in ${pick(random, THEMES).folders[0]}` };
  // Casual, typos included, but never in a name: a misspelt folder would be a wrong call nobody injected.
  return { text: pick(random, [`whats in ${folder} again`, `show me waht i have in ${folder}`, `open my ${fuzzy} note, its somewhere in ${file.split('/')[0]}`]) };
}

interface ListedTool {
  readonly name: string;
  readonly required: readonly string[];
}

/**
 * The assistant: a question when the request asks for one (a bulk delete, an unclear "the one
 * from last time"), otherwise one call. `wrongShare` of the calls are wrong on purpose.
 */
export function selfplayAssistantReply(random: Random, context: ScriptContext, wrongShare: number): SelfplayReply {
  const request = visibleText(context.lastUserText);
  if (/\bdelete everything\b|\bdelete all\b/i.test(request)) {
    return { text: 'That would delete several notes at once. Do you want me to go ahead and delete everything in that folder, or should I list it first so you can choose?' };
  }
  if (/the one from last time/i.test(request)) {
    return { text: 'I can look for notes with that word in the name, but several could match. Which note do you mean, roughly what was it about?' };
  }
  const tools = listedTools(context.systemPrompt);
  const folder = /\bin ([\w.-]+)/i.exec(request)?.[1];
  const file = /open my ([\w-]+)/i.exec(request)?.[1];
  const listTool = tools.find((tool) => /list_directory$/.test(tool.name)) ?? tools[0];
  const searchTool = tools.find((tool) => /search_files$/.test(tool.name));
  let call: ScriptedToolCall | undefined;
  if (file !== undefined && searchTool !== undefined) call = { name: searchTool.name, arguments: argumentsFor(searchTool, '.', file) };
  else if (listTool !== undefined) call = { name: listTool.name, arguments: argumentsFor(listTool, folder ?? '.', file ?? '') };
  if (call === undefined) return { text: 'I have no tool for that here, sorry.' };
  let wrongCall: WrongCallKind | undefined;
  if (random() < wrongShare) {
    wrongCall = pick(random, WRONG_CALL_KINDS);
    call = spoil(call, wrongCall);
  }
  const reply = renderToolCalls([call], pick(random, TOOL_CALL_FORMATS));
  return wrongCall === undefined ? { text: reply } : { text: reply, wrongCall };
}

function spoil(call: ScriptedToolCall, kind: WrongCallKind): ScriptedToolCall {
  switch (kind) {
    case 'unknown-tool':
      return { name: call.name.replace(/_[a-z]+$/, '_find_note'), arguments: call.arguments };
    case 'bad-arguments':
      return { name: call.name, arguments: Object.fromEntries(Object.keys(call.arguments).map((key) => [key, 42])) };
    case 'missing-context':
      return { name: call.name, arguments: { ...call.arguments, path: 'no-such-folder/that-was-never-there' } };
  }
}

function argumentsFor(tool: ListedTool, path: string, pattern: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of tool.required) values[name] = name === 'pattern' || name === 'query' ? pattern : path;
  if (Object.keys(values).length === 0) values.path = path;
  return values;
}

/** Tools from a Hermes `<tools>` block: one JSON definition per line, OpenAI function shape or bare. */
function listedTools(systemPrompt: string): ListedTool[] {
  const block = /<tools>([\s\S]*?)<\/tools>/.exec(systemPrompt)?.[1] ?? '';
  const tools: ListedTool[] = [];
  for (const line of block.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { function?: unknown; name?: unknown; parameters?: unknown };
      const definition = (parsed.function ?? parsed) as { name?: unknown; parameters?: { required?: unknown } };
      if (typeof definition.name !== 'string') continue;
      const required = Array.isArray(definition.parameters?.required) ? definition.parameters.required.filter((key): key is string => typeof key === 'string') : [];
      tools.push({ name: definition.name, required });
    } catch {
      // A line the scripted model cannot read is one it would not call.
    }
  }
  return tools;
}

/** Share of behavioral responses the scripted judge finds wanting, so both labels occur in a short run. */
export const BEHAVIOR_JUDGE_REJECT_SHARE = 0.25;

/** The behavior judge (`--judge`): a verdict in JSON, "not shown" for a set share of responses. */
export function behaviorJudgeReply(random: Random, context: ScriptContext): SelfplayReply {
  const behavior = /<behavior name="([\w-]+)">/.exec(context.lastUserText)?.[1] ?? 'the behavior';
  const shows = random() >= BEHAVIOR_JUDGE_REJECT_SHARE;
  const reason = shows ? `The response picks a sound first step for ${behavior}.` : `The response does not show ${behavior}: another tool was the better first step.`;
  return { text: JSON.stringify({ shows, reason }) };
}
