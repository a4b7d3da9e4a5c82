import type { IncomingMessage, ServerResponse } from 'node:http';
import { drawFaults, malformedBody, type FaultDecision } from './faults.js';
import { hasBearerToken, readBody, sendJson } from './http-io.js';
import { sampleLatencyMs } from './latency.js';
import type { PendingResponses } from './pending-responses.js';
import { providerErrorResponse, type ErrorKind } from './provider-errors.js';
import type { ProviderState } from './provider-state.js';
import { retryAfterHeaders } from './rate-limiter.js';
import { parseChatRequestBody, type ChatMessage } from './request-body.js';
import { buildScriptContext, detectRole } from './script-context.js';
import { estimateTokens, scriptedReply } from './scripted-model.js';
import { validateMessages } from './validate-messages.js';

/** What the handler needs from the server around it. */
export interface ChatEnvironment {
  readonly seed: number;
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
 * then the scripted reply. The order follows real APIs: a bad key is refused before a rate limit
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
  const problem = !parsed.ok
    ? parsed.message
    : parsed.body.stream
      ? 'Streaming is not supported by this emulator: send `stream: false` (nightshift never streams).'
      : options.strict
        ? validateMessages(state.provider, parsed.body.messages)
        : undefined;
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
  const faults = drawFaults(state.faultRandom, options.faults, role === 'tester');
  const delayMs = sampleLatencyMs(state.latencyRandom, options.latency);
  if (applyTransportFault(state, request, response, environment, faults, delayMs, body.model)) return;
  const reply = scriptedReply({ seed: environment.seed, role, context, body, options, modelFault: faults.model });
  const inputTokens = estimateTokens(messages.reduce((sum, message) => sum + (message.content?.length ?? 0), 0));
  const outputTokens = estimateTokens(reply.text.length);
  const completion = completionBody(environment, body.model, reply.text, reply.finishReason, inputTokens, outputTokens);
  state.tokenLimiter?.charge(environment.now(), inputTokens + outputTokens);
  environment.pending.delay(response, delayMs, () => {
    if (faults.model !== undefined) tally.inject(faults.model);
    tally.ok++;
    tally.inputTokens += inputTokens;
    tally.outputTokens += outputTokens;
    sendJson(response, 200, completion);
  });
}

/** Acts on a transport fault; returns whether the request is taken care of. */
function applyTransportFault(
  state: ProviderState,
  request: IncomingMessage,
  response: ServerResponse,
  environment: ChatEnvironment,
  faults: FaultDecision,
  delayMs: number,
  model: string,
): boolean {
  const fault = faults.transport;
  if (fault === undefined) return false;
  state.tally.inject(fault);
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
    case 'malformed': {
      const body = completionBody(environment, model, 'This answer never arrives whole.', 'stop', 1, 1);
      environment.pending.delay(response, delayMs, () => sendJson(response, 200, malformedBody(body)));
      return true;
    }
  }
}

function completionBody(
  environment: ChatEnvironment,
  model: string,
  content: string,
  finishReason: 'stop' | 'length',
  inputTokens: number,
  outputTokens: number,
): string {
  const sequence = environment.nextSequence();
  return JSON.stringify({
    id: `chatcmpl-${environment.seed.toString(36)}-${sequence.toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'nightshift-emulator',
    choices: [
      {
        index: 0,
        // `tool_calls: null` is what Mistral sends; the OpenAI, Together and HF clients accept it too.
        message: { role: 'assistant', content, tool_calls: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
  });
}
