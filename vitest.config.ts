import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child-process tests run the compiled daemon, as `npm run generate` does: build it first.
    globalSetup: ['test/helpers/build-dist.ts'],
    // Child-process and emulator tests do real I/O; CI has two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report is what .ci/run counts; the default reporter is what people read.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
