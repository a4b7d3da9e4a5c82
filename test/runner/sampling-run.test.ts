import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_TYPES } from '../../src/core/types.js';
import { daemonSuite } from '../helpers/daemon-suite.js';
import { EMULATOR_MODELS, readLogRecords, writeEmulatorSecrets } from '../helpers/daemon.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * `sampling.<role>` in secrets.json, from the file to the wire: real daemons, each provider type's
 * real SDK over real HTTP, and the emulator telling what every role's requests carried.
 */

const ADA_MODELS = { ...EMULATOR_MODELS, judge: 'emulator-judge' };
const everyType = (entry: object) => Object.fromEntries(PROVIDER_TYPES.map((type) => [type, entry]));

describe("Ada's sampling per role reaches every provider type as configured", () => {
  const suite = daemonSuite({ seed: 21 });
  // One concurrency cap for all: the OpenAI-compatible default of 4 would rate it, before its first
  // reply, at 4 requests per 5 s expected, and route the first 12 conversations elsewhere.
  const providers = everyType({ requests_per_second: 40, max_concurrency: 32, models: ADA_MODELS, timeout_ms: 10_000 });
  const dataDir = () => path.join(suite.workspace, 'ada');
  const outputManifest = () => path.join(dataDir(), 'trainingData', 'conversations.manifest.json');

  it('each role carries its configured temperature, top_p and max_tokens, the rest its defaults; the judge stays at 0', async () => {
    const env = writeEmulatorSecrets(dataDir(), suite.emulator, PROVIDER_TYPES, {
      providers,
      sampling: { tester: { temperature: 1.1, top_p: 0.85, max_tokens: 400 }, assistant: { top_p: 0.9 }, rewriter: { temperature: 0.2, max_tokens: 900 } },
    });
    suite.emulator.resetCounters();
    const daemon = suite.spawn(['--target', '12', '--data-dir', dataDir(), '--turns', '1', '--judge', '--concurrency', '12'], { cwd: suite.workspace, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);

    const counters = suite.emulator.counters();
    for (const type of PROVIDER_TYPES) {
      // Every type served conversations (a conversation sticks to one): each saw every role.
      expect(counters[type].byRole['tester'], `${type} got no conversation`).toBeGreaterThan(0);
      expect(counters[type].samplingByRole, type).toEqual({
        tester: [{ temperature: 1.1, top_p: 0.85, max_tokens: 400 }],
        assistant: [{ temperature: 0.7, top_p: 0.9, max_tokens: 2048 }],
        rewriter: [{ temperature: 0.2, max_tokens: 900 }],
        judge: [{ temperature: 0, max_tokens: 300 }],
      });
    }
    const manifest = JSON.parse(readFileSync(outputManifest(), 'utf8')) as { combinations: { sampling: unknown; valid: number }[] };
    expect(manifest.combinations.map((entry) => entry.sampling)).toEqual([
      {
        tester: { temperature: 1.1, topP: 0.85, maxTokens: 400 },
        assistant: { temperature: 0.7, topP: 0.9, maxTokens: 2048 },
        rewriter: { temperature: 0.2, maxTokens: 900 },
        judge: { temperature: 0, maxTokens: 300 },
      },
    ]);
  }, 120_000);

  it('a resume with a warmer tester warns at start, and status counts the lines made the old way without calling them stale', async () => {
    const env = writeEmulatorSecrets(dataDir(), suite.emulator, PROVIDER_TYPES, {
      providers,
      sampling: { tester: { temperature: 1.4, top_p: 0.85, max_tokens: 400 }, assistant: { top_p: 0.9 }, rewriter: { temperature: 0.2, max_tokens: 900 } },
    });
    suite.emulator.resetCounters();
    const daemon = suite.spawn(['--target', '14', '--data-dir', dataDir(), '--turns', '1', '--judge'], { cwd: suite.workspace, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    const warning = readLogRecords(dataDir()).find((record) => String(record.msg).startsWith('resuming with other inputs'));
    expect(warning?.changes).toEqual(['sampling settings changed']);
    expect(String(warning?.msg)).toContain('they are not stale');
    const testers = PROVIDER_TYPES.flatMap((type) => suite.emulator.counters()[type].samplingByRole['tester'] ?? []);
    expect(new Set(testers.map((sampling) => sampling.temperature))).toEqual(new Set([1.4]));
    const status = await runCli(['status', '--data-dir', dataDir()], { cwd: suite.workspace });
    expect(status.stdout).toContain('📦 Output CURRENT: all 14 lines made with the latest prompts and models; 12 of them with other sampling settings');
  }, 120_000);
});

describe("self-play's steps take sampling from secrets.json, and --temperature still wins for the response", () => {
  const suite = daemonSuite({ seed: 22 });

  it('the workspace, the request and the response each carry their own; the flag replaces only the response temperature', async () => {
    const dataDir = path.join(suite.workspace, 'selfplay');
    const env = writeEmulatorSecrets(dataDir, suite.emulator, ['together'], {
      providers: { together: { requests_per_second: 40, timeout_ms: 10_000 } },
      sampling: { environment: { temperature: 1.1, top_p: 0.95 }, assistant: { temperature: 0.2, top_p: 0.8, max_tokens: 700 } },
    });
    const daemon = suite.spawn(['--pipeline', 'selfplay', '--target', '3', '--data-dir', dataDir, '--temperature', '1.3'], { cwd: suite.workspace, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    expect(suite.emulator.counters().together.samplingByRole).toEqual({
      'selfplay-environment': [{ temperature: 1.1, top_p: 0.95, max_tokens: 2000 }],
      'selfplay-requester': [{ max_tokens: 200 }],
      'selfplay-assistant': [{ temperature: 1.3, top_p: 0.8, max_tokens: 700 }],
    });
    const manifest = JSON.parse(readFileSync(path.join(dataDir, 'trainingData', 'selfplay_output.manifest.json'), 'utf8')) as { combinations: { sampling: unknown }[] };
    expect(manifest.combinations[0]?.sampling).toEqual({
      environment: { temperature: 1.1, topP: 0.95, maxTokens: 2000 },
      requester: { maxTokens: 200 },
      assistant: { temperature: 1.3, topP: 0.8, maxTokens: 700 },
    });
  }, 120_000);
});
