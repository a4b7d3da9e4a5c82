import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QualityReport } from '../../src/report/index.js';
import { chromiumSkipReason, launchChromium } from '../helpers/headless-chromium.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const skipReason = chromiumSkipReason();
const countLines = (file: string): number => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').length;

/** The value at a dot path of report.json, as the page prints it (percentages for rates and shares). */
function expectedText(report: QualityReport, figure: string): string {
  const value = figure.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], report);
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number' && /(Rate|rate|share|Share|coverage)$/.test(figure)) return `${(value * 100).toFixed(1)} %`;
  if (figure.endsWith('costUsd')) return `$${String(value)}`;
  return String(value);
}

describe('the report of a real offline run, opened in headless Chromium', () => {
  const workspace = makeTempDir('nightshift-report-run-');
  const dataDir = path.join(workspace.path, 'data');
  let generate: CliResult;
  let reported: CliResult;
  let report: QualityReport;

  beforeAll(async () => {
    // With --tool-share, so the page's tool-share figures are checked against report.json too.
    generate = await runCli(['generate', '--offline', '--target', '12', '--seed', '5', '--tool-share', '0.5', '--data-dir', dataDir, '--log-format', 'json'], { cwd: workspace.path, timeoutMs: 150_000 });
    reported = await runCli(['report', '--data-dir', dataDir], { cwd: workspace.path });
    report = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
  }, 180_000);
  afterAll(() => workspace.cleanup());

  it('counts what the run wrote: every line of the output and of the invalid file', () => {
    expect(generate.code, generate.stderr.slice(-2000)).toBe(0);
    expect(reported.code, reported.stderr).toBe(0);
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    expect(report.counts.valid).toBe(countLines(output));
    expect(report.counts.valid).toBe(12);
    const invalid = path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl');
    const invalidLines = (() => {
      try {
        return countLines(invalid);
      } catch {
        return 0;
      }
    })();
    expect(report.counts.invalid).toBe(invalidLines);
    const issueTotal = Object.values(report.issues).reduce((sum, tally) => sum + tally.errors, 0);
    // Every invalid line carries at least one error; a valid line none.
    expect(issueTotal).toBeGreaterThanOrEqual(invalidLines);
    expect(report.counts.badLines).toBe(0);
    expect(report.pipelines).toEqual({ ada: 12 + invalidLines });
    expect(report.thinking.coverage).toBe(1);
    expect(report.providers.reduce((sum, entry) => sum + entry.conversations, 0)).toBe(12 + invalidLines);
    expect(report.timeline.points.reduce((sum, point) => sum + point.valid + point.invalid, 0)).toBe(12 + invalidLines);
    expect(reported.stdout).toContain(`12 valid, ${invalidLines} invalid`);
    expect(report.tools.toolShare).toMatchObject({ targetShare: 0.5, valid: 12 });
    expect(reported.stdout).toContain('(target 50.0 %); planned with tools:');
  });

  it.skipIf(skipReason !== undefined)('renders offline: charts drawn, a non-empty screenshot, every number as in report.json', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`file://${path.join(dataDir, 'report.html')}`);
      await page.waitForSelector('body[data-charts="ready"]', { timeout: 15_000 });
      expect(errors).toEqual([]);
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
      // A canvas with no drawn pixel is a chart that failed silently.
      const painted = await page.$$eval('.chart canvas', (canvases) =>
        canvases.map((element) => {
          // The test's tsconfig has no DOM types: the little of a canvas this reads, typed here.
          const canvas = element as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } };
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let drawn = 0;
          for (let index = 3; index < data.length; index += 4) if ((data[index] ?? 0) > 0) drawn++;
          return drawn;
        }),
      );
      expect(painted).toHaveLength(4);
      expect(painted.every((drawn) => drawn > 500)).toBe(true);
      expect(await page.$$eval('.chart[data-drawn="true"]', (elements) => elements.length)).toBe(4);
      const figures = await page.$$eval('[data-figure]', (elements) => elements.map((element) => [element.getAttribute('data-figure') ?? '', element.textContent ?? '']));
      expect(figures.length).toBeGreaterThan(20);
      expect(figures.map(([figure]) => figure)).toEqual(expect.arrayContaining(['tools.toolShare.targetShare', 'tools.toolShare.reachedShare', 'tools.toolShare.byPlan.noTools.share']));
      for (const [figure, text] of figures) expect({ figure, text }).toEqual({ figure, text: expectedText(report, figure!) });
      const screenshot = await page.screenshot({ fullPage: true });
      expect(screenshot.length).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
