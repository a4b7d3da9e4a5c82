import { PassThrough } from 'node:stream';

/** A stream a command writes to, as stdout or stderr, with everything written so far in `text()`. */
export function captureStream(): PassThrough & { text(): string } {
  const stream = new PassThrough() as PassThrough & { text(): string };
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stream.text = () => text;
  return stream;
}
