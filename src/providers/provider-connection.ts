/** What an adapter needs to reach its API. */
export interface ProviderConnection {
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
