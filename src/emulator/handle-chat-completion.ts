import type { IncomingMessage, ServerResponse } from 'node:http';
import { withDefect } from './apply-defect.js';
import type { OpeningMemory } from './defects.js';
import { drawFaults, malformedBody, type FaultDecision } from './faults.js';
import { hasBearerToken, readBody, sendJson } from './http-io.js';
import { sampleLatencyMs } from './latency.js';
import type { PendingResponses } from './pending-responses.js';
import { providerErrorResponse, type ErrorKind } from './provider-errors.js';
import type { ProviderState } from './provider-state.js';
import { retryAfterHeaders } from './rate-limiter.js';
import { parseChatRequestBody, type ChatMessage, type ChatRequestBody } from './request-body.js';
import { buildScriptContext, detectRole } from './script-context.js';
import { estimateTokens, scriptedReply } from './scripted-model.js';
import { splitReply, streamEventGroups, type EventStream } from './stream-chunks.js';
import { sendEventStream, type StreamTiming } from './stream-reply.js';
import { validateMessages } from './validate-messages.js';

/** What the handler needs from the server around it. */
export interface ChatEnvironment {
  readonly seed: number;
  /** The tester's openings, for the duplicate defect: shared by every provider. */
  readonly openings: OpeningMemory;
  readonly pending: PendingResponses;
  /** Monotonic ms since the emulator started. */
  now(): number;
  /** A fresh number for each completion id. */
  nextSequence(): number;
}

function sendError(state: ProviderState, response: ServerResponse, kind: ErrorKind, message?: string, headers?: Record<string, string>): void {
  const error = providerErrorResponse(state.provider, kind, message);
  sendJson(response, error.status, error.body, headers);
}

/**
 * One `POST .../v1/chat/completions`: auth, rate limit, body, strict rules, faults, latency,
 * then the scripted reply, as one JSON body or (`stream: true`) as server-sent events. The order follows real APIs: a bad key is refused before a rate limit
 * is charged, and the limiter answers before the body is even looked at.
 */
export function handleChatCompletion(
  state: ProviderState,
  request: IncomingMessage,
  response: ServerResponse,
  environment: ChatEnvironment,
): void {
  const { tally, options } = state;
  tally.arrive(environment.now());
  if (options.authFailure || !hasBearerToken(request)) {
    tally.authFailures++;
    request.resume();
    sendError(state, response, 'auth');
    return;
  }
  const arrivedAt = environment.now();
  const decision = state.limiter?.take(arrivedAt);
  const tokenDecision = decision === undefined || decision.allowed ? state.tokenLimiter?.check(arrivedAt) : undefined;
  // Set here, so every answer below carries them whatever path writes it; as of this arrival.
  for (const [name, value] of Object.entries(state.limitHeaders(arrivedAt) ?? {})) response.setHeader(name, value);
  if (decision !== undefined && !decision.allowed) {
    tally.rateLimited++;
    request.resume();
    sendError(state, response, 'rate_limit', undefined, retryAfterHeaders(decision.retryAfterMs));
    return;
  }
  if (tokenDecision !== undefined && !tokenDecision.allowed) {
    tally.tokenLimited++;
    request.resume();
    sendError(state, response, 'rate_limit', 'Rate limit exceeded: tokens per minute.', retryAfterHeaders(tokenDecision.retryAfterMs));
    return;
  }
  readBody(request, (text) => {
    if (text === undefined) {
      tally.badRequest('Request body too large.');
      sendError(state, response, 'bad_request', 'Request body too large.');
      return;
    }
    respondToBody(state, request, response, environment, text);
  });
}

function respondToBody(
  state: ProviderState,
  request: IncomingMessage,
  response: ServerResponse,
  environment: ChatEnvironment,
  text: string,
): void {
  const { tally, options } = state;
  const parsed = parseChatRequestBody(text);
  const problem = !parsed.ok ? parsed.message : options.strict ? validateMessages(state.provider, parsed.body.messages) : undefined;
  if (problem !== undefined || !parsed.ok) {
    tally.badRequest(problem ?? 'Invalid request.');
    sendError(state, response, 'bad_request', problem);
    return;
  }
  const body = parsed.body;
  const messages = body.messages.filter((message): message is ChatMessage => message !== undefined);
  const context = buildScriptContext(body.model, messages);
  const role = detectRole(body.model, context.systemPrompt);
  tally.countRole(role);
  tally.receiveSampling(role, body);
  const faults = drawFaults(state.faultRandom, options.faults, role === 'tester');
  const delayMs = sampleLatencyMs(state.latencyRandom, options.latency);
  if (applyTransportFault(state, request, response, environment, faults, delayMs, body)) return;
  const written = scriptedReply({ seed: environment.seed, role, context, body, options, modelFault: faults.model });
  const { reply, defect } = faults.model === undefined ? withDefect(state, environment, role, context, written) : { reply: written, defect: undefined };
  const answer: Answer = {
    id: completionId(environment),
    model: body.model,
    text: reply.text,
    finishReason: reply.finishReason,
    inputTokens: estimateTokens(messages.reduce((sum, message) => sum + (message.content?.length ?? 0), 0)),
    outputTokens: estimateTokens(reply.text.length),
  };
  state.tokenLimiter?.charge(environment.now(), answer.inputTokens + answer.outputTokens);
  const onComplete = (): void => {
    if (faults.model !== undefined) tally.inject(faults.model);
    if (defect !== undefined) tally.defect(defect);
    tally.ok++;
    if (body.stream) tally.streamed++;
    tally.inputTokens += answer.inputTokens;
    tally.outputTokens += answer.outputTokens;
  };
  if (body.stream) {
    sendEventStream(response, environment.pending, eventGroups(state, body, answer), streamTiming(state, delayMs), 'complete', onComplete);
    return;
  }
  environment.pending.delay(response, delayMs, () => {
    onComplete();
    sendJson(response, 200, completionBody(answer));
  });
}

/** A reply as both the JSON and the streamed answer carry it. */
interface Answer {
  readonly id: string;
  readonly model: string;
  readonly text: string;
  readonly finishReason: 'stop' | 'length';
  readonly inputTokens: number;
  readonly outputTokens: number;
}

function eventGroups(state: ProviderState, body: ChatRequestBody, answer: Answer): EventStream {
  return streamEventGroups(state.provider, {
    ...answer,
    created: Math.floor(Date.now() / 1000),
    pieces: splitReply(answer.text, state.options.streamChunkCharacters),
    includeUsage: body.includeUsage,
  });
}

function streamTiming(state: ProviderState, delayMs: number): StreamTiming {
  return { totalMs: delayMs, firstChunkShare: state.options.firstChunkShare };
}

/** Acts on a transport fault; returns whether the request is taken care of. */
function applyTransportFault(
  state: ProviderState,
  request: IncomingMessage,
  response: ServerResponse,
  environment: ChatEnvironment,
  faults: FaultDecision,
  delayMs: number,
  body: ChatRequestBody,
): boolean {
  const fault = faults.transport;
  if (fault === undefined) return false;
  state.tally.inject(fault);
  const placeholder = (): Answer => ({
    id: completionId(environment),
    model: body.model,
    text: 'This answer never arrives whole, so its length does not matter much.',
    finishReason: 'stop',
    inputTokens: 1,
    outputTokens: 1,
  });
  switch (fault) {
    case '429':
      // Not the limiter: a busy server, which real providers tell apart from a rate overrun in the body.
      sendError(state, response, 'capacity', undefined, retryAfterHeaders(state.options.injectedRetryAfterMs));
      return true;
    case 'reset':
      request.socket.destroy();
      return true;
    case 'hang':
      environment.pending.hang(response);
      return true;
    case '500':
    case '503':
      environment.pending.delay(response, delayMs, () =>
        sendError(state, response, fault === '500' ? 'server' : 'overloaded'),
      );
      return true;
    case 'malformed':
    case 'stall': {
      const answer = placeholder();
      if (body.stream) {
        sendEventStream(response, environment.pending, eventGroups(state, body, answer), streamTiming(state, delayMs), fault, () => undefined);
      } else if (fault === 'malformed') {
        environment.pending.delay(response, delayMs, () => sendJson(response, 200, malformedBody(completionBody(answer))));
      } else {
        environment.pending.delay(response, delayMs / 2, () => stallJson(response, environment, completionBody(answer)));
      }
      return true;
    }
  }
}

/** Headers and the first half of a JSON body, then silence. */
function stallJson(response: ServerResponse, environment: ChatEnvironment, body: string): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.write(malformedBody(body));
  environment.pending.hang(response);
}

function completionId(environment: ChatEnvironment): string {
  return `chatcmpl-${environment.seed.toString(36)}-${environment.nextSequence().toString(36)}`;
}

function completionBody(answer: Answer): string {
  return JSON.stringify({
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    system_fingerprint: 'nightshift-emulator',
    choices: [
      {
        index: 0,
        // `tool_calls: null` is what Mistral sends; the OpenAI, Together and HF clients accept it too.
        message: { role: 'assistant', content: answer.text, tool_calls: null },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: { prompt_tokens: answer.inputTokens, completion_tokens: answer.outputTokens, total_tokens: answer.inputTokens + answer.outputTokens },
  });
}
