import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labelUnitOfWork } from '../../../src/pipelines/ada/label-conversation.js';
import { openNearDuplicateIndex, type NearDuplicateIndex } from '../../../src/validate/index.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createPipelineFixture, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

function setUp(): { fixture: PipelineFixture; index: NearDuplicateIndex; reopen: () => NearDuplicateIndex } {
  const fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 0, users: 3 });
  const directory = makeTempDir('nightshift-labels-');
  const file = path.join(directory.path, 'near-duplicates.db');
  const index = openNearDuplicateIndex(file);
  cleanups.push(fixture.close, directory.cleanup, () => index.close());
  return { fixture, index, reopen: () => openNearDuplicateIndex(file) };
}

const requester = (reply: string) =>
  createScriptedRequester({
    tester: () => 'my sister visits next week and she is vegetarian, any ideas for a dinner we could cook together',
    assistant: () => reply,
    rewriter: echoRewriter,
  });

const GOOD = '<think>She wants vegetarian dinner ideas for cooking with her sister.</think>\nA mushroom risotto is easy to cook together: one stirs, the other chops, and it is ready in forty minutes.';

describe("Ada's conversations are labelled before they are saved", () => {
  it('a sound conversation is labelled true with an empty report, and joins the near-duplicate index only once committed', async () => {
    const { fixture, index } = setUp();
    const unit = labelUnitOfWork(await fixture.conversations.run({ conversationId: 'first', requester: requester(GOOD), signal: new AbortController().signal }), index);
    expect(unit.conversation.label).toBe(true);
    expect(unit.conversation.report).toEqual({ issues: [] });
    expect(index.count()).toBe(0);
    unit.commit();
    expect(index.count()).toBe(1);
  });

  it('a refusal is labelled false with the issue that says why, and is kept out of the index', async () => {
    const { fixture, index } = setUp();
    const refusal = "<think>Not something I do.</think>\nI'm sorry, but I can't help with that.";
    const unit = labelUnitOfWork(await fixture.conversations.run({ conversationId: 'refused', requester: requester(refusal), signal: new AbortController().signal }), index);
    expect(unit.conversation.label).toBe(false);
    expect(unit.conversation.report?.issues.map((issue) => [issue.level, issue.code])).toContainEqual(['error', 'refusal']);
    unit.commit();
    expect(index.count()).toBe(0);
  });

  it('the same conversation again, after a restart, is a near-duplicate of the first and labelled false', async () => {
    const { fixture, index, reopen } = setUp();
    const run = (id: string, lookup: NearDuplicateIndex) =>
      fixture.conversations.run({ conversationId: id, requester: requester(GOOD), signal: new AbortController().signal }).then((unit) => labelUnitOfWork(unit, lookup));
    (await run('original', index)).commit();
    index.close();
    const again = reopen();
    cleanups.push(() => again.close());
    const copy = await run('copy', again);
    expect(copy.conversation.label).toBe(false);
    expect(copy.conversation.report?.issues).toContainEqual(expect.objectContaining({ level: 'error', code: 'near-duplicate' }));
    expect(copy.conversation.report?.issues.find((issue) => issue.code === 'near-duplicate')?.message).toContain('original');
  });
});
