import { z } from 'zod';

const toolCallSchema = z.looseObject({ id: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(toolCallSchema).nullable().optional(),
  tool_call_id: z.string().nullable().optional(),
  prefix: z.boolean().nullable().optional(),
});

/** The OpenAI-style chat body every provider's SDK sends; unknown fields are accepted and ignored. */
const requestBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
  temperature: z.number().nullable().optional(),
  top_p: z.number().nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullable().optional() }).nullable().optional(),
});

export interface ChatMessage {
  readonly role: string;
  /** Text content; content parts are joined, null becomes undefined. */
  readonly content: string | undefined;
  /** Whether the raw content was a string (strict rules require it). */
  readonly contentIsString: boolean;
  readonly toolCallIds: readonly string[] | undefined;
  readonly toolCallId: string | undefined;
  readonly prefix: boolean;
}

export interface ChatRequestBody {
  readonly model: string;
  /** Messages that parsed as objects with a role; `undefined` marks an entry that did not. */
  readonly messages: readonly (ChatMessage | undefined)[];
  readonly maxTokens: number | undefined;
  /** As sent; absent when the client left it to the server. */
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  readonly stop: readonly string[];
  readonly stream: boolean;
  /** `stream_options.include_usage`: OpenAI and TGI send usage on a streamed reply only when asked. */
  readonly includeUsage: boolean;
}

export type ParsedBody = { readonly ok: true; readonly body: ChatRequestBody } | { readonly ok: false; readonly message: string };

/** Parses untrusted request text; never throws. */
export function parseChatRequestBody(text: string): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'We could not parse the JSON body of your request. Expected a JSON object.' };
  }
  const result = requestBodySchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
    return { ok: false, message: `Invalid request: '${where}': ${issue?.message ?? 'invalid value'}` };
  }
  const raw = result.data;
  const stop = raw.stop === undefined || raw.stop === null ? [] : typeof raw.stop === 'string' ? [raw.stop] : raw.stop;
  return {
    ok: true,
    body: {
      model: raw.model,
      messages: raw.messages.map(toChatMessage),
      maxTokens: raw.max_tokens ?? raw.max_completion_tokens ?? undefined,
      temperature: raw.temperature ?? undefined,
      topP: raw.top_p ?? undefined,
      stop,
      stream: raw.stream === true,
      includeUsage: raw.stream_options?.include_usage === true,
    },
  };
}

function toChatMessage(value: unknown): ChatMessage | undefined {
  const result = messageSchema.safeParse(value);
  if (!result.success) return undefined;
  const message = result.data;
  const contentIsString = typeof message.content === 'string';
  return {
    role: message.role,
    content: contentIsString ? (message.content as string) : joinContentParts(message.content),
    contentIsString,
    toolCallIds: message.tool_calls?.map((call) => call.id ?? ''),
    toolCallId: message.tool_call_id ?? undefined,
    prefix: message.prefix === true,
  };
}

/** OpenAI-style content parts (`[{type: "text", text}]`) joined, so lenient mode still reads them. */
function joinContentParts(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') {
      texts.push((part as { text: string }).text);
    }
  }
  return texts.join('');
}
