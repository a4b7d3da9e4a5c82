/**
 * Ada's pipeline: the conversation loop (tester -> assistant -> tool calls -> continuation ->
 * thinking rewrite), its prompts, roles, flags, and the simulated users it talks as.
 */
export { ADA_PIPELINE_NAME, ADA_PIPELINE_VERSION, createAdaConversations, type AdaConversations } from './ada-conversation.js';
export { DEFAULT_SAMPLING, type AdaConversationOptions, type RoleSampling } from './ada-conversation-options.js';
export type { AdaDiscardReason } from './ada-discard-reasons.js';
export { ADA_OPTIONS, type AdaOptions } from './ada-options.js';
export { PROMPTS_DIRECTORY, adaPipeline } from './ada-pipeline.js';
export { ADA_ROLES, ADA_ROLE_NAMES, type AdaRole } from './ada-roles.js';
export type { MessageSource, RetryRecord, RewriteRecord } from './conversation-log.js';
export { TOPICS, pickTopic } from './conversation-topics.js';
export { PROMPT_FILES, loadPrompts, type Prompts } from './load-prompts.js';
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
