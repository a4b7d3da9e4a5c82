import path from 'node:path';

/** The parts of V8's `.cpuprofile` (what `node --cpu-prof` writes) a summary needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface TimeShare {
  readonly name: string;
  readonly ms: number;
}

export interface CpuProfileSummary {
  /** Sampled time the process was running JavaScript, natives or the GC: everything but (idle). */
  readonly busyMs: number;
  readonly functions: readonly TimeShare[];
  /** Self time per place: a package under node_modules, Node's internals, or one file of ours. */
  readonly places: readonly TimeShare[];
  /** Time spent anywhere below a frame of each place (a package's callbacks into ours count too). */
  readonly inclusivePlaces: readonly TimeShare[];
}

/**
 * Self time by function and by place, from the samples: each sample's time is the gap to the next
 * one (as Chrome's DevTools counts it), given to the frame on top of the stack when it was taken.
 * `untilMs` keeps only the samples of the first ms of the profile (start-up).
 */
export function summariseCpuProfile(profile: CpuProfile, repositoryRoot: string, options: { untilMs?: number } = {}): CpuProfileSummary {
  const until = (options.untilMs ?? Number.POSITIVE_INFINITY) * 1000;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMicroseconds = new Map<number, number>();
  let elapsed = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    elapsed += profile.timeDeltas[index] ?? 0;
    if (elapsed > until) break;
    const next = profile.timeDeltas[index + 1] ?? 0;
    const id = profile.samples[index]!;
    selfMicroseconds.set(id, (selfMicroseconds.get(id) ?? 0) + Math.max(0, next));
  }
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, microseconds] of selfMicroseconds) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += microseconds;
    const place = placeOf(url, functionName, repositoryRoot);
    const name = `${functionName || '(anonymous)'} ${place}${url === '' ? '' : `:${lineNumber + 1}`}`;
    add(functions, name, microseconds);
    add(places, place, microseconds);
    // Every place on the stack once, however deep it recurses.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      seen.add(placeOf(frame.url, frame.functionName, repositoryRoot));
    }
    for (const onStack of seen) add(inclusive, onStack, microseconds);
  }
  return { busyMs: busy / 1000, functions: ranked(functions), places: ranked(places), inclusivePlaces: ranked(inclusive) };
}

/** `zod`, `@mistralai/mistralai`, `node:internal/deps/undici/undici`, `src/providers/read-chunk.js`, `(garbage collector)`. */
function placeOf(url: string, functionName: string, repositoryRoot: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? file);
  }
  return path.relative(repositoryRoot, file).replace(/^dist\//, 'src/');
}

function add(totals: Map<string, number>, key: string, microseconds: number): void {
  totals.set(key, (totals.get(key) ?? 0) + microseconds);
}

function ranked(totals: Map<string, number>): TimeShare[] {
  return [...totals].map(([name, microseconds]) => ({ name, ms: microseconds / 1000 })).sort((a, b) => b.ms - a.ms);
}
