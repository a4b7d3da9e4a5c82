// A provider thread started from the TypeScript sources (tests, `tsx`): registers tsx's loader in
// the new thread, which does not inherit it, then runs the real entry. The compiled daemon in
// dist/ starts provider-thread.js directly and never reads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
