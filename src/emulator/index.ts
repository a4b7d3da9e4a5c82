/**
 * The provider emulator: one local HTTP server that speaks the wire protocol of every provider
 * nightshift uses, with rate limits, latency, faults and a scripted model. Tests, the benchmark
 * and `--offline` dry runs point the real SDKs at it.
 */
export { startEmulator } from './emulator-server.js';
export { runEmulatorCommand } from './emulator-command.js';
export type {
  Emulator,
  EmulatorCounters,
  EmulatorFaults,
  EmulatorLatency,
  EmulatorOptions,
  EmulatorProviderCounters,
  EmulatorProviderOptions,
  InjectedKind,
  ToolCallFormat,
} from './emulator-options.js';
export { INJECTED_KINDS } from './emulator-options.js';
export type { LimiterKind } from './rate-limiter.js';
export type { RateLimitHeaderStyle } from './rate-limit-response-headers.js';
export { detectRole } from './script-context.js';
export { renderToolCalls, type ScriptedToolCall } from './tool-call-formats.js';
export { DEFECT_KINDS, DUPLICATE_MIN_AGE_MS } from './defects.js';
export type { DefectKind, EmulatorDefects } from './defects.js';
