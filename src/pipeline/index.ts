/**
 * The pipeline module: the Ada conversation loop (tester -> assistant -> tool calls ->
 * continuation -> thinking rewrite), its prompts, and the simulated users it talks as.
 */
export { ADA_PIPELINE_NAME, ADA_PIPELINE_VERSION, createAdaPipeline } from './ada-conversation.js';
export { DEFAULT_SAMPLING, type AdaPipelineOptions, type RoleSampling } from './ada-pipeline-options.js';
export type { MessageSource, RetryRecord, RewriteRecord } from './conversation-log.js';
export { TOPICS, pickTopic } from './conversation-topics.js';
export { PROMPT_FILES, loadPrompts, type Prompts } from './load-prompts.js';
export type { AdaPipeline, ConversationPipeline, PipelineContext, PipelineRunContext } from './pipeline-types.js';
export { TESTER_PLACEHOLDERS, fillPlaceholders } from './prompt-template.js';
export { abortReason } from './request-step.js';
export type { ConversationToolStore } from './run-tool-round.js';
export {
  TESTER_KICKOFF,
  alternateRoles,
  shapeAssistantRequest,
  shapeRewriterRequest,
  shapeTesterRequest,
} from './shape-messages.js';
export {
  DEFAULT_USER_COUNT,
  generateSimulatedUser,
  generateSimulatedUsers,
  loadSimulatedUsers,
  simulatedUserId,
  type SimulatedUser,
} from './simulated-users.js';
export { UserPool, type UserLease } from './user-pool.js';
