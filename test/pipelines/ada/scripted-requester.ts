/**
 * Test-only `ModelRequester` without HTTP: each role answers from a script, so tests can make a
 * model misbehave in ways the emulator does not (a tester speaking as Ada, a runaway tool loop).
 */
import type { ChatResult, FinishReason, ModelRequester, ProviderSwitch, RoleRequest } from '../../../src/core/types.js';
import type { AdaRole } from '../../../src/pipelines/ada/index.js';

export type ScriptedAnswer = string | { readonly text: string; readonly finishReason: FinishReason } | Error;

/** Answers the `count`-th request (from 1) of a role. */
export type RoleScript = (request: RoleRequest, count: number) => ScriptedAnswer;

export interface ScriptedRequester extends ModelRequester {
  readonly requests: RoleRequest[];
  count(role: AdaRole): number;
}

export function createScriptedRequester(scripts: Partial<Record<AdaRole, RoleScript>>): ScriptedRequester {
  const requests: RoleRequest[] = [];
  const counts: Record<string, number> = { tester: 0, assistant: 0, rewriter: 0 };
  const switches: ProviderSwitch[] = [];
  return {
    requests,
    switches,
    count: (role) => counts[role] ?? 0,
    complete(request: RoleRequest): Promise<ChatResult> {
      requests.push(request);
      const count = (counts[request.role] = (counts[request.role] ?? 0) + 1);
      const script = scripts[request.role as AdaRole];
      if (script === undefined) return Promise.reject(new Error(`No script for role ${request.role}`));
      const answer = script(request, count);
      if (answer instanceof Error) return Promise.reject(answer);
      const { text, finishReason } = typeof answer === 'string' ? { text: answer, finishReason: 'stop' as const } : answer;
      return Promise.resolve({
        text,
        finishReason,
        usage: { inputTokens: 10, outputTokens: 5 },
        latencyMs: 1,
        provider: 'mistral',
        model: `scripted-${request.role}`,
      });
    },
  };
}

/** A rewriter that returns a recognisable rewrite of whatever it was given. */
export const echoRewriter: RoleScript = (_request, count) => `<think>Rewritten reasoning number ${count}.</think>`;
