/**
 * Validation: checks on a finished conversation give its `label` and `report.issues` (issue 11),
 * and the near-duplicate index compares it with the dataset so far. A leaf: imports only `core`
 * and `format`, so any pipeline, the store and the report can use it.
 */
export { catalogueFromSchemas } from './tool-catalogue.js';
export { createMinHasher, DEFAULT_MINHASH_PARAMETERS, estimateSimilarity, type MinHashParameters, type MinHasher } from './minhash.js';
export {
  openNearDuplicateIndex,
  type NearDuplicateCheck,
  type NearDuplicateIndex,
  type NearDuplicateIndexOptions,
} from './near-duplicate-index.js';
export { findPhrase, REFUSAL_PHRASES, TESTER_AS_ASSISTANT_PHRASES, type PhrasePattern } from './phrase-lists.js';
export { jaccard, shinglesOf, wordsOf } from './shingles.js';
export { labelFor, nearDuplicateText, validateConversation } from './validate-conversation.js';
export {
  DEFAULT_VALIDATION_BOUNDS,
  type IssueCode,
  type NearDuplicateLookup,
  type ValidationBounds,
  type ValidationContext,
  type ValidationIssue,
  type ValidationReport,
  type ValidationResult,
} from './validation-types.js';
