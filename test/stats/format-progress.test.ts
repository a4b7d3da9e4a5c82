import { describe, expect, it } from 'vitest';
import { describePace, formatProgress, formatSummary } from '../../src/stats/format-progress.js';
import { formatDuration, formatMoney } from '../../src/stats/format-units.js';
import { progressRecord, providerProgress } from './fixtures.js';

describe('formatProgress', () => {
  it('prints totals, rates, ETA and in-flight on the first line and one segment per provider on the second', () => {
    expect(formatProgress(progressRecord())).toBe(
      [
        '📊 Progress: 1500/5000 (30.0%)  ⚡ 850 conv/h (recent 910)  ⏱️ ETA 4.1 h  · 12 in flight',
        '📈 mistral 850 conv · 0 429s · 1.9 s p50 | together 650 conv · 3 429s · 2.4 s p50 (cooling down 40 s)',
      ].join('\n'),
    );
  });

  it('says the ETA is unknown before any rate, and that no provider has been asked yet', () => {
    const text = formatProgress(
      progressRecord({ saved: 0, percent: 0, etaSeconds: null, providers: {}, rate: { overallPerHour: 0, recentPerHour: 0, recentWindowSeconds: 600 } }),
    );
    expect(text).toContain('ETA unknown');
    expect(text).toContain('📈 no provider requests yet');
  });

  it('adds tokens with cost and projection, discards by frequency, and marks errors and disabled providers', () => {
    const text = formatProgress(
      progressRecord({
        providers: {
          huggingface: providerProgress({ errors: 4, state: { status: 'disabled', reason: '401: the key was rejected' } }),
        },
        tokens: { input: 1_234_567, output: 340_000 },
        cost: { total: 3.214, projectedAtTarget: 10.7, unpricedModels: [] },
        discarded: { deadline: 4, empty_reply: 8 },
      }),
    );
    expect(text).toContain('huggingface 0 conv · 0 429s · 4 err (disabled: 401: the key was rejected)');
    expect(text).toContain('🪙 Tokens 1.2M in / 340K out · cost $3.21 (≈ $10.70 at target)');
    expect(text).toContain('🗑️ Discarded 12: empty_reply 8, deadline 4');
  });
});

describe('the rate in force', () => {
  it('each provider segment says the pace: as configured, learned from 429s, or reported by the headers', () => {
    const text = formatProgress(
      progressRecord({
        providers: {
          mistral: providerProgress({ pace: { configuredPerSecond: 8, currentPerSecond: 8, source: 'configured', marginMs: 0 } }),
          together: providerProgress({ pace: { configuredPerSecond: 8, currentPerSecond: 7.8125, source: 'learned', marginMs: 24 } }),
          huggingface: providerProgress({ pace: { configuredPerSecond: 1, currentPerSecond: 2, source: 'headers', marginMs: 0 } }),
        },
      }),
    );
    expect(text).toContain('mistral 0 conv · 0 429s · 8/s');
    expect(text).toContain('together 0 conv · 0 429s · 7.81/s learned (configured 8/s, +24 ms margin)');
    expect(text).toContain('huggingface 0 conv · 0 429s · 2/s from headers (configured 1/s)');
    expect(describePace({ configuredPerSecond: 4, currentPerSecond: 2, source: 'learned', marginMs: 0 })).toBe('2/s learned (configured 4/s)');
    expect(describePace({ configuredPerSecond: 2, currentPerSecond: 2, source: 'headers', marginMs: 0 })).toBe('2/s from headers');
  });
});

describe('formatSummary', () => {
  it('says what was made, how fast, where it is, why it stopped, per-provider tokens and cost, discards and tool calls', () => {
    const text = formatSummary(
      progressRecord({
        saved: 5000,
        target: 5000,
        percent: 100,
        savedThisRun: 3500,
        tokens: { input: 9_000_000, output: 2_000_000 },
        cost: { total: 12.5, projectedAtTarget: 12.5, unpricedModels: ['local-model'] },
        providers: {
          mistral: providerProgress({
            conversations: 3500,
            requests: 14_000,
            rateLimited: 12,
            errors: 2,
            retries: 14,
            latency: { meanMs: 2000, p50Ms: 1900, p95Ms: 3300, samples: 512 },
            tokens: { input: 9_000_000, output: 2_000_000 },
            cost: 12.5,
          }),
        },
        discarded: { empty_reply: 3 },
        toolCalls: { add_memory: { ok: 1200, failed: 14 }, recall_memories: { ok: 300, failed: 0 } },
      }),
      { wallSeconds: 5 * 3600, outputPath: 'data/trainingData/ada.jsonl', stopReason: 'target reached' },
    );
    expect(text).toContain('5000/5000 conversations (100.0%), 3500 saved by this run');
    expect(text).toContain('stopped: target reached');
    expect(text).toContain('wall time 5.0 h · 700 conv/h');
    expect(text).toContain('output: data/trainingData/ada.jsonl');
    expect(text).toContain('tokens: 9,000,000 in / 2,000,000 out · cost $12.50 (no price for local-model)');
    expect(text).toContain(
      'mistral: 3,500 conv · 14,000 requests · 12 429s · 2 errors · 14 retries · p50 1.9 s / p95 3.3 s · 9,000,000 in / 2,000,000 out · $12.50',
    );
    expect(text).toContain('discarded: 3: empty_reply 3');
    expect(text).toContain('tool calls: add_memory 1200 ok / 14 failed, recall_memories 300 ok');
  });

  it('writes one request, one error and one retry in the singular', () => {
    const text = formatSummary(
      progressRecord({ providers: { together: providerProgress({ conversations: 0, requests: 1, errors: 1, retries: 1, rateLimited: 0 }) } }),
      { wallSeconds: 2, outputPath: 'out.jsonl', stopReason: 'SIGINT' },
    );
    expect(text).toContain('together: 0 conv · 1 request · 0 429s · 1 error · 1 retry ·');
  });
});

describe('units', () => {
  it('durations pick seconds, minutes, hours or days', () => {
    expect([formatDuration(45), formatDuration(720), formatDuration(14_760), formatDuration(3 * 86_400)]).toEqual([
      '45 s',
      '12 min',
      '4.1 h',
      '3.0 d',
    ]);
  });

  it('money keeps sub-cent amounts visible', () => {
    expect([formatMoney(3.214), formatMoney(0.0014), formatMoney(0)]).toEqual(['$3.21', '$0.0014', '$0.00']);
  });
});
