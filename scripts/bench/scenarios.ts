import type { BenchOptions } from './bench-options.js';
import { formatHangScenario, runHangScenario } from './hang-scenario.js';
import { formatLimiterScenario, runLimiterScenario } from './limiter-scenario.js';
import { formatSaturationScenario, runSaturationScenario } from './saturation-scenario.js';

/** What the scenarios measured, as JSON and as the README's Markdown. */
export interface ScenarioResults {
  readonly figures: Record<string, unknown>;
  readonly markdown: string[];
}

/**
 * The scenarios of issue 9, each against the real daemon: strict limiters, hung requests, fast
 * providers. One failing (a run that did not reach its target) is reported and the others still run.
 */
export async function runScenarios(options: BenchOptions, progress: (message: string) => void): Promise<ScenarioResults> {
  const results: ScenarioResults = { figures: {}, markdown: [] };
  const attempt = async (name: string, run: () => Promise<{ figures: unknown; markdown: string }>): Promise<void> => {
    try {
      const { figures, markdown } = await run();
      results.figures[name] = figures;
      results.markdown.push(markdown);
    } catch (error) {
      results.figures[name] = { error: (error as Error).message };
      results.markdown.push(`Scenario ${name} failed: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  if (options.scenarios.includes('limiter')) {
    await attempt('limiter', async () => {
      const runs = await runLimiterScenario({
        conversations: options.quick ? 100 : 500,
        seed: options.seed,
        onRun: (limiter, conversations) => progress(`scenario limiter: ${limiter}, ${conversations} conversations…`),
      });
      return { figures: runs, markdown: formatLimiterScenario(runs, undefined) };
    });
  }
  if (options.scenarios.includes('hang')) {
    await attempt('hang', async () => {
      const figures = await runHangScenario({ conversations: options.quick ? 40 : 100, seed: options.seed, progress: (message) => progress(`scenario hang: ${message}`) });
      return { figures, markdown: formatHangScenario(figures) };
    });
  }
  if (options.scenarios.includes('saturation')) {
    await attempt('saturation', async () => {
      const conversations = options.quick ? 200 : 1_000;
      progress(`scenario saturation: 60 + 60 requests/s at 150 ms, ${conversations} conversations…`);
      const figures = await runSaturationScenario({ conversations, seed: options.seed });
      return { figures, markdown: formatSaturationScenario(figures) };
    });
  }
  return results;
}
