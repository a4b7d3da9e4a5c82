import { describe, expect, it } from 'vitest';
import { readAnnotations, type AnnotatedRequest } from '../../../src/format/index.js';
import { TOOL_PLAN_INSTRUCTIONS } from '../../../src/pipelines/ada/conversation-topics.js';
import { createPipelineFixture, useSharedEmulator, type PipelineFixture } from './conversation-fixture.js';
import { createEmulatorRequester } from './emulator-requester.js';

/**
 * `--annotate` and `--tool-share` together, as a person reviewing a steered conversation reads it:
 * the annotations must say what the tester was told (the plan's instruction included) and what each
 * request sampled, as the provider received it.
 */
let fixture: PipelineFixture | undefined;
const emulator = useSharedEmulator(5, () => {
  fixture?.close();
  fixture = undefined;
});

const SAMPLING = {
  tester: { temperature: 1.1, topP: 0.85, maxTokens: 400 },
  assistant: { temperature: 0.6, topP: 0.9, maxTokens: 1500 },
  rewriter: { temperature: 0.2, maxTokens: 900 },
};

describe('an annotated, steered conversation', () => {
  it("keeps the tester's prompt with the plan's instruction, the plan in metadata, and each request's sampling as the wire carried it", async () => {
    fixture = createPipelineFixture({ users: 2, turns: { min: 2, max: 2 }, annotate: true, sampling: SAMPLING });
    emulator().resetCounters();
    const requester = createEmulatorRequester(emulator());
    const unit = await fixture.conversations.run({ conversationId: 'steered-1', requester, signal: new AbortController().signal }, { target: 0.7, plan: 'tools' });
    unit.commit();
    const saved = unit.conversation;
    expect(saved.metadata['toolShare']).toEqual({ target: 0.7, plan: 'tools' });

    const annotations = readAnnotations(saved.annotations);
    if (annotations === undefined) throw new Error(`expected well-formed annotations, got ${JSON.stringify(saved.annotations)}`);
    const requests: AnnotatedRequest[] = annotations.messages.flatMap((message) => [message.prompt, ...(message.rewritePrompts ?? [])]);
    const tester = requests.filter((request) => request.role === 'tester');
    expect(tester.length).toBe(2);
    for (const request of tester) {
      // What the tester received is the table's prompt followed by the request: the plan is in it.
      const sentSystem = annotations.systemPrompts[request.systemPrompt ?? -1];
      expect(sentSystem).toContain(TOOL_PLAN_INSTRUCTIONS.tools);
      expect(requester.sent.some((sent) => sent.role === 'tester' && sent.messages[0]?.content === sentSystem)).toBe(true);
    }

    // Each role's annotated sampling is what the provider received (top_p and max_tokens on the wire).
    const wire = emulator().counters().together.samplingByRole;
    for (const role of ['tester', 'assistant', 'rewriter'] as const) {
      const annotated = requests.filter((request) => request.role === role).map((request) => request.sampling);
      expect(annotated.length, role).toBeGreaterThan(0);
      for (const sampling of annotated) expect(sampling, role).toEqual(SAMPLING[role]);
      const { temperature, topP, maxTokens } = SAMPLING[role] as { temperature: number; topP?: number; maxTokens: number };
      expect(wire[role], role).toEqual([{ temperature, ...(topP === undefined ? {} : { top_p: topP }), max_tokens: maxTokens }]);
    }
  });
});
