/**
 * The names the model sees: `<server>_<tool>` (`vault_create_directory`), in the characters every
 * chat template and the OpenAI `tools` field accept (`[A-Za-z0-9_-]`, at most 64). Sanitising can
 * make two names equal (`my.vault` and `my_vault`, or a server's `a.b` and `a_b`), and so can the
 * underscore between server and tool (`a_b` + `c` against `a` + `b_c`); a name already given gets
 * a numeric suffix, so the map from offered name to (server, tool) is always one to one.
 */

const UNSAFE = /[^A-Za-z0-9_-]/g;
const MAX_LENGTH = 64;

export function sanitizeName(name: string): string {
  const cleaned = name.replace(UNSAFE, '_');
  return cleaned.length === 0 ? '_' : cleaned;
}

/** Hands out unique offered names in the order tools are listed, so a restart names them the same. */
export class ToolNamer {
  private readonly taken = new Set<string>();

  name(server: string, tool: string): string {
    const base = `${sanitizeName(server)}_${sanitizeName(tool)}`.slice(0, MAX_LENGTH);
    let candidate = base;
    for (let suffix = 2; this.taken.has(candidate); suffix++) {
      const tail = `_${suffix}`;
      candidate = `${base.slice(0, MAX_LENGTH - tail.length)}${tail}`;
    }
    this.taken.add(candidate);
    return candidate;
  }
}
