import type { ProviderName } from '../core/types.js';

/** What an adapter needs to reach its API. */
export interface ProviderConnection {
  /**
   * The instance this adapter serves (`together-b`): it names the adapter, its replies and its
   * errors, so two instances of one type never mix in logs and stats. @default the adapter's type
   */
  readonly name?: ProviderName;
  readonly apiKey: string;
  /** Each SDK's own convention: Mistral the server root, Together/OpenAI `.../v1`, Hugging Face the endpoint root. */
  readonly baseUrl: string;
  /** @default performance.now */
  readonly now?: () => number;
  /**
   * Sees every HTTP response of this provider as soon as its headers arrive, successes and errors
   * alike (e.g. to read `x-ratelimit-*` headers). Must not read the body. @default none
   */
  readonly onResponse?: (response: Response) => void;
}
