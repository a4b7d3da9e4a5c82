import { integerBetween, type Random } from '../../core/random.js';

/**
 * Plans held back for the end of a run, at most: about 20 s of starts at the free tiers' pace; or,
 * when more conversations are in flight, RESERVE_PER_IN_FLIGHT times as many.
 */
export const DEFAULT_RESERVE = 48;

/**
 * Held per conversation in flight: the conversations in flight end together, and a long one takes
 * about twice as long as the average (Little's law: the starts of its lifetime are about twice
 * those in flight). Measured at 60 + 60 requests/s, 64 in flight: the 48 held covered 4 s of starts,
 * 3-exchange conversations started 9 s before the end finished last, and the tail lost 2.5 s of
 * quota; 128 held, 1.1 s.
 */
const RESERVE_PER_IN_FLIGHT = 2;

/**
 * Plans are held back only once the run will start no more than this many conversations after the
 * current one: a run stopped before its end (and resumed, which starts a new reserve) must not lose
 * its short conversations to a reserve it never reached.
 */
const HORIZON_PER_RESERVED = 5;

/**
 * Draws each conversation's number of exchanges, as `integerBetween(turns)` always did, but starts
 * the shortest ones last. A conversation sticks to its provider and runs its exchanges one after
 * another, so the end of a run is decided by the longest conversations started in its last seconds:
 * measured on the benchmark, 3-exchange conversations begun in the last 25 s finished 10–15 s after
 * everything else, with the providers nearly idle. Near the end, a drawn plan shorter than `max` is
 * held back (the conversation draws again) until `reserve` are held; once the run will start no more
 * conversations than are held, each start takes the longest one held, so the very last are the
 * shortest. `startsLeft` counts the starts certain to come (the runner's: what the target needs
 * beyond those in flight), which falls by one per start, so no more is ever held than those starts
 * take: every plan drawn is used once by the time the target is reached and the lengths keep the
 * distribution they are drawn from; only their order changes. A run that ends early (stopped,
 * budget spent) leaves at most `reserve` plans unused.
 */
export class TurnPlanner {
  readonly #held: number[] = [];
  readonly #reserve: number;

  constructor(
    private readonly random: Random,
    private readonly turns: { readonly min: number; readonly max: number },
    reserve: number = DEFAULT_RESERVE,
  ) {
    this.#reserve = turns.max > turns.min ? reserve : 0;
  }

  /** Plans held back for the end of the run. */
  get held(): number {
    return this.#held.length;
  }

  /**
   * The number of exchanges of a conversation starting now. `startsLeft`: conversations the run
   * expects to start after this one (PipelineContext.startsLeft); unknown, nothing is reordered.
   * `inFlight`: conversations in flight, this one included (PipelineContext.inFlightAtStart); more
   * of them than half the reserve raise it to twice their number.
   */
  next(startsLeft: number | undefined, inFlight?: number): number {
    if (startsLeft === undefined) return this.#draw();
    // Kept in ascending order: the longest held goes first.
    if (startsLeft < this.#held.length) return this.#held.pop() as number;
    const reserve = this.#reserve === 0 ? 0 : Math.max(this.#reserve, RESERVE_PER_IN_FLIGHT * (inFlight ?? 0));
    while (true) {
      const turns = this.#draw();
      const holdable = turns < this.turns.max && this.#held.length < reserve;
      // Held only while the remaining starts can still use every held plan.
      if (!holdable || startsLeft <= this.#held.length || startsLeft > reserve * HORIZON_PER_RESERVED) return turns;
      const at = this.#held.findIndex((plan) => plan > turns);
      this.#held.splice(at === -1 ? this.#held.length : at, 0, turns);
    }
  }

  #draw(): number {
    return integerBetween(this.random, this.turns.min, this.turns.max);
  }
}
