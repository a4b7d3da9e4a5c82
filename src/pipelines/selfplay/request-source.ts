import type { ModelRequester } from '../../core/types.js';
import type { SeedPrompt } from './prompt-set.js';
import type { SelfplayRequest } from './selfplay-request.js';

export type MakeRequest = (
  requester: ModelRequester,
  seed: { readonly index: number; readonly prompt: SeedPrompt } | undefined,
  signal: AbortSignal,
  now: () => number,
) => Promise<SelfplayRequest>;

/**
 * Where each example's request comes from. With `--num-variations N` a request is answered by N
 * examples: the first to need one makes it, the next N - 1 answer the same (while it is still
 * being made, they wait for it). With `--prompt-set` requests take the seed prompts in turn, so
 * every prompt (and every tool the set covers) is used before any is used twice.
 */
export class RequestSource {
  private current: { readonly request: Promise<SelfplayRequest>; remaining: number } | undefined;
  private nextSeed: number;

  constructor(
    private readonly make: MakeRequest,
    private readonly options: {
      readonly variations: number;
      readonly prompts: readonly SeedPrompt[] | undefined;
      /** Examples the output already holds: a resumed run goes on with the prompts after theirs. */
      readonly alreadySaved: number;
    },
  ) {
    this.nextSeed = Math.floor(options.alreadySaved / options.variations);
  }

  async take(requester: ModelRequester, signal: AbortSignal, now: () => number): Promise<SelfplayRequest> {
    const shared = this.current;
    if (shared !== undefined && shared.remaining > 0) {
      shared.remaining -= 1;
      try {
        return await shared.request;
      } catch {
        // Its maker's failure (a discard, an abort) is the maker's own: this example makes its own.
      }
    }
    const request = this.make(requester, this.drawSeed(), signal, now);
    const entry = { request, remaining: this.options.variations - 1 };
    this.current = entry;
    request.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return request;
  }

  private drawSeed(): { readonly index: number; readonly prompt: SeedPrompt } | undefined {
    const prompts = this.options.prompts;
    if (prompts === undefined || prompts.length === 0) return undefined;
    const index = this.nextSeed % prompts.length;
    this.nextSeed += 1;
    return { index, prompt: prompts[index] as SeedPrompt };
  }
}
