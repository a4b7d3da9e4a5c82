import fs from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { makeConversation, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

describe('appending and reopening', () => {
  it('a new file in missing folders is created, appended to, and reopened with the same count and ids', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'nested', 'deeper', 'out.jsonl');
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toEqual({ count: 0, truncatedBytes: 0, invalidLines: 0, duplicateLines: 0 });
    expect(await store.append(makeConversation('a'))).toBe(true);
    expect(await store.append(makeConversation('b'))).toBe(true);
    expect(store.count).toBe(2);
    await store.close();

    const reopened = await ConversationStore.open(filePath);
    expect(reopened.recovery.count).toBe(2);
    expect(reopened.store.count).toBe(2);
    expect(reopened.store.has('a')).toBe(true);
    expect(reopened.store.has('b')).toBe(true);
    expect(reopened.store.has('c')).toBe(false);
    await reopened.store.close();
    const lines = readLines(filePath);
    expect(lines.map((line) => JSON.parse(line).id)).toEqual(['a', 'b']);
  });

  it('each line is the conversation with id as its first key, even when the object lists it last', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const { store } = await ConversationStore.open(filePath);
    const { id, conversations, metadata } = makeConversation('key-order');
    await store.append({ metadata, conversations, id });
    await store.close();
    const [line] = readLines(filePath);
    expect(line?.startsWith('{"id":"key-order","conversations":[')).toBe(true);
    expect(JSON.parse(line ?? '')).toEqual({ id, conversations, metadata });
  });

  it('a duplicate id is refused with false and writes nothing, before and after a reopen', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const { store } = await ConversationStore.open(filePath);
    expect(await store.append(makeConversation('same'))).toBe(true);
    const sizeAfterFirst = fs.statSync(filePath).size;
    expect(await store.append(makeConversation('same'))).toBe(false);
    expect(fs.statSync(filePath).size).toBe(sizeAfterFirst);
    await store.close();
    const reopened = await ConversationStore.open(filePath);
    expect(await reopened.store.append(makeConversation('same'))).toBe(false);
    expect(reopened.store.count).toBe(1);
    await reopened.store.close();
    expect(readLines(filePath)).toHaveLength(1);
  });

  it('50 concurrent appends (with duplicates among them) land as 50 whole lines, each id once', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const { store } = await ConversationStore.open(filePath);
    const ids = Array.from({ length: 50 }, (_, index) => `concurrent-${index}`);
    // Sizes vary from 200 B to 200 KB so a torn interleaving would show.
    const results = await Promise.all([
      ...ids.map((id, index) => store.append(makeConversation(id, 200 + (index % 5) * 50_000))),
      ...ids.slice(0, 10).map((id) => store.append(makeConversation(id))),
    ]);
    expect(results.filter((written) => written)).toHaveLength(50);
    expect(results.slice(50)).toEqual(Array(10).fill(false));
    expect(store.count).toBe(50);
    await store.close();
    const lines = readLines(filePath);
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((line) => JSON.parse(line).id))).toEqual(new Set(ids));
  });

  it('close waits for queued appends and a later append is rejected with STORE_CLOSED', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const { store } = await ConversationStore.open(filePath);
    const pending = [store.append(makeConversation('x')), store.append(makeConversation('y'))];
    await store.close();
    expect(await Promise.all(pending)).toEqual([true, true]);
    await expect(store.append(makeConversation('z'))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await store.close();
    expect(readLines(filePath)).toHaveLength(2);
  });

  it('an empty id is refused as an invalid conversation', async () => {
    const { store } = await ConversationStore.open(path.join(makeTemporaryDirectory(), 'out.jsonl'));
    await expect(store.append(makeConversation(''))).rejects.toMatchObject({ code: 'STORE_INVALID_CONVERSATION' });
    await store.close();
  });
});

describe('repairing a file after a crash', () => {
  async function fileWith(text: string): Promise<string> {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    fs.writeFileSync(filePath, text);
    return filePath;
  }
  const line = (id: string): string => `${JSON.stringify(makeConversation(id))}\n`;

  it('a partial last line is cut, reported, and the next append starts on a clean line', async () => {
    const torn = line('torn').slice(0, 150);
    const filePath = await fileWith(line('a') + line('b') + torn);
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery.count).toBe(2);
    expect(recovery.truncatedBytes).toBe(Buffer.byteLength(torn));
    expect(recovery.tornLine).toBe(torn.slice(0, 200));
    expect(store.has('torn')).toBe(false);
    expect(await store.append(makeConversation('torn'))).toBe(true);
    await store.close();
    expect(readLines(filePath).map((text) => JSON.parse(text).id)).toEqual(['a', 'b', 'torn']);
  });

  it('a last line that is complete JSON but lacks its newline is cut too: it was never confirmed by fsync', async () => {
    const unconfirmed = line('unconfirmed').slice(0, -1);
    const filePath = await fileWith(line('a') + unconfirmed);
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toMatchObject({ count: 1, truncatedBytes: Buffer.byteLength(unconfirmed) });
    expect(recovery.tornLine).toBe(unconfirmed.slice(0, 200));
    expect(store.has('unconfirmed')).toBe(false);
    await store.close();
    expect(fs.readFileSync(filePath, 'utf8')).toBe(line('a'));
  });

  it('a last line ending in a newline but holding garbage (zeros left by a power loss) is cut', async () => {
    const garbage = `${'\0'.repeat(64)}\n`;
    const filePath = await fileWith(line('a') + garbage);
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toMatchObject({ count: 1, truncatedBytes: 65, invalidLines: 0 });
    await store.close();
    expect(fs.readFileSync(filePath, 'utf8')).toBe(line('a'));
  });

  it('a last line cut right after its id prefix is not counted, so that id can still be written', async () => {
    const filePath = await fileWith(`${line('a')}{"id":"half","conversations":[{"ro\n`);
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery.count).toBe(1);
    expect(store.has('half')).toBe(false);
    expect(await store.append(makeConversation('half'))).toBe(true);
    await store.close();
    expect(readLines(filePath)).toHaveLength(2);
  });

  it('a file that is only a torn line becomes empty', async () => {
    const filePath = await fileWith('{"id":"only","conv');
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toMatchObject({ count: 0, truncatedBytes: 18, tornLine: '{"id":"only","conv' });
    await store.close();
    expect(fs.statSync(filePath).size).toBe(0);
  });

  it('lines written by other tools (other key order, escaped ids) are read by parsing; bad inner lines are reported, not cut', async () => {
    const reordered = `${JSON.stringify({ conversations: [], metadata: {}, id: 'reordered' })}\n`;
    const escaped = `${JSON.stringify({ id: 'quote"and\\backslash', conversations: [], metadata: {} })}\n`;
    const filePath = await fileWith(line('a') + reordered + 'not json\n' + escaped + line('a') + line('z'));
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toEqual({ count: 4, truncatedBytes: 0, invalidLines: 1, duplicateLines: 1 });
    expect(store.has('reordered')).toBe(true);
    expect(store.has('quote"and\\backslash')).toBe(true);
    await store.close();
  });
});

describe('opening a large file', () => {
  it('a generated file of 20,000 conversations opens with the right count and every id', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'large.jsonl');
    const template = JSON.stringify(makeConversation('ID', 1_000)).slice('{"id":"ID"'.length);
    const lines: string[] = [];
    for (let index = 0; index < 20_000; index++) lines.push(`{"id":"large-${index}"${template}\n`);
    // A line longer than the scanner's 4 MiB chunk must still be read whole.
    lines.push(`${JSON.stringify(makeConversation('huge', 9_000_000))}\n`);
    fs.writeFileSync(filePath, lines.join(''));
    const { store, recovery } = await ConversationStore.open(filePath);
    expect(recovery).toEqual({ count: 20_001, truncatedBytes: 0, invalidLines: 0, duplicateLines: 0 });
    expect(store.has('large-0')).toBe(true);
    expect(store.has('large-19999')).toBe(true);
    expect(store.has('huge')).toBe(true);
    await store.close();
  });
});

describe('a failed write', () => {
  /** A real handle whose next write stores only half the line, then fails like a full disk. */
  function failingOpener(failures: { remaining: number }) {
    return async (filePath: string, flags: 'a+'): Promise<FileHandle> => {
      const handle = await open(filePath, flags);
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'write' && failures.remaining > 0) {
            return async (buffer: Buffer, offset: number, length: number) => {
              failures.remaining--;
              await target.write(buffer, offset, Math.floor(length / 2));
              throw Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
  }

  it('a disk-full write throws a clear STORE_WRITE_FAILED, leaves the file as it was, and the next append succeeds', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const failures = { remaining: 0 };
    const { store } = await ConversationStore.open(filePath, { openFile: failingOpener(failures) });
    await store.append(makeConversation('before'));
    const sizeBefore = fs.statSync(filePath).size;
    failures.remaining = 1;
    const error = await store.append(makeConversation('lost')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect((error as Error).message).toContain('ENOSPC');
    expect((error as Error).message).toContain('lost');
    expect(fs.statSync(filePath).size).toBe(sizeBefore);
    expect(store.has('lost')).toBe(false);
    expect(store.count).toBe(1);
    expect(await store.append(makeConversation('lost'))).toBe(true);
    await store.close();
    expect(readLines(filePath).map((text) => JSON.parse(text).id)).toEqual(['before', 'lost']);
  });
});
