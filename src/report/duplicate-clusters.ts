/**
 * Near-duplicate clusters from the labels: validation names, in a `near-duplicate` issue, the
 * earlier conversation a line resembles; linking each line to the one it names groups them
 * (union-find), so a prompt that keeps producing the same conversation shows as one large cluster.
 * Memory grows with the flagged lines only.
 */
import type { DuplicateCluster } from './report-types.js';

const NAMED_CONVERSATION = /conversation (\S+?),? saved earlier/;
const EXAMPLE_CHARACTERS = 160;
const CLUSTERS_SHOWN = 20;

export class DuplicateClusters {
  readonly #parent = new Map<string, string>();
  readonly #openings = new Map<string, string>();
  #flagged = 0;

  /** A line with a `near-duplicate` issue whose message says `… to conversation <id>, saved earlier.` */
  addFlagged(conversationId: string, message: string, opening: string): void {
    this.#flagged++;
    this.#openings.set(conversationId, opening.slice(0, EXAMPLE_CHARACTERS));
    const earlier = NAMED_CONVERSATION.exec(message)?.[1];
    this.#root(conversationId);
    if (earlier !== undefined) this.#parent.set(this.#root(conversationId), this.#root(earlier));
  }

  figures(): { flagged: number; clusters: DuplicateCluster[]; clusterCount: number } {
    const groups = new Map<string, string[]>();
    for (const id of this.#parent.keys()) {
      const root = this.#root(id);
      const members = groups.get(root) ?? [];
      members.push(id);
      groups.set(root, members);
    }
    const clusters = [...groups.values()]
      .sort((a, b) => b.length - a.length)
      .map((ids) => ({
        size: ids.length,
        ids: ids.slice(0, 10),
        examples: ids.flatMap((id) => this.#openings.get(id) ?? []).slice(0, 3),
      }));
    return { flagged: this.#flagged, clusters: clusters.slice(0, CLUSTERS_SHOWN), clusterCount: clusters.length };
  }

  #root(id: string): string {
    let current = id;
    if (!this.#parent.has(current)) this.#parent.set(current, current);
    while (this.#parent.get(current) !== current) {
      const next = this.#parent.get(current) ?? current;
      // Path halving keeps the chains short without recursion.
      this.#parent.set(current, this.#parent.get(next) ?? next);
      current = next;
    }
    return current;
  }
}
