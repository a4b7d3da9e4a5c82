/**
 * `--annotate` for self-play: the steps call the requester directly, so a `RecordingRequester`
 * is put in front of it and what produced each message is read back afterwards. A request shared
 * by `--num-variations` answers carries its requester's request with it (`requestedBy`).
 */
import type { ModelRequester } from '../../core/types.js';
import type { SavedConversation } from '../../format/index.js';
import { AnnotationRecorder, RecordingRequester } from '../annotation-recorder.js';
import type { SelfplayRequest } from './selfplay-request.js';

/** Makes the request through a recording requester when annotating, and keeps the requester step's request. */
export async function makeRecordedRequest(
  annotate: boolean,
  requester: ModelRequester,
  make: (requester: ModelRequester) => Promise<SelfplayRequest>,
): Promise<SelfplayRequest> {
  if (!annotate) return make(requester);
  const recording = new RecordingRequester(requester);
  const request = await make(recording);
  const requestedBy = recording.last('requester');
  return requestedBy === undefined ? request : { ...request, requestedBy };
}

/**
 * The example with its annotations: the user message's request when a model wrote it (a
 * `--prompt-set` prompt has none) and the reply's. The reply is the line's last message.
 */
export function annotateExample(conversation: SavedConversation, request: SelfplayRequest, answered: RecordingRequester): SavedConversation {
  const recorder = new AnnotationRecorder();
  const messages = conversation.conversations;
  const userIndex = messages.findIndex((message) => message.role === 'user');
  const replyIndex = messages.length - 1;
  if (request.requestedBy !== undefined && userIndex >= 0) recorder.annotate(userIndex, messages[userIndex]!, request.requestedBy);
  const response = answered.last('assistant');
  if (response !== undefined && messages[replyIndex]?.role === 'assistant') recorder.annotate(replyIndex, messages[replyIndex], response);
  return { ...conversation, annotations: recorder.toSaved() };
}
