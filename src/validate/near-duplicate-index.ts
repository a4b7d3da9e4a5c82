/**
 * Near-duplicates across conversations, persisted in SQLite so the comparison spans restarts and
 * the whole dataset (100k conversations): each added text keeps its MinHash signature, and one row
 * per LSH band whose key is looked up through the table's primary key. A check costs one signature
 * and one indexed query, whatever the size of the index; candidates are confirmed on their
 * signatures, so a band collision never makes a duplicate on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NightshiftError } from '../core/errors.js';
import { createMinHasher, DEFAULT_MINHASH_PARAMETERS, estimateSimilarity, type MinHashParameters } from './minhash.js';
import type { NearDuplicateLookup } from './validation-types.js';

export interface NearDuplicateIndexOptions extends Partial<MinHashParameters> {
  /** Below this estimated similarity a check names no duplicate. @default 0.5 */
  readonly minimumSimilarity?: number;
  /**
   * Candidates confirmed per check at most: a band shared by thousands of texts is a cluster of
   * copies already, and the first few found say so as well as all of them would. @default 2000
   */
  readonly maximumCandidates?: number;
}

export interface NearDuplicateCheck {
  /** The most similar earlier text (other than the one checked), when it reaches `minimumSimilarity`. */
  readonly duplicateOf?: string;
  /** Its estimated Jaccard similarity over word shingles, 0..1; 0 when nothing shares a band. */
  readonly similarity: number;
}

export interface NearDuplicateIndex extends NearDuplicateLookup {
  check(id: string, text: string): NearDuplicateCheck;
  /** Adds a text in one transaction; adding an id already present changes nothing (a resumed run re-adds). */
  add(id: string, text: string): void;
  /** How many texts the index holds. */
  count(): number;
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS documents (document INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, signature BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, document INTEGER NOT NULL, PRIMARY KEY (key, document)) WITHOUT ROWID;
`;

/** The parameters a file was built with must be the ones it is read with: signatures are not comparable otherwise. */
function checkSettings(database: Database.Database, file: string, parameters: MinHashParameters): void {
  const wanted = JSON.stringify(parameters);
  const row = database.prepare('SELECT value FROM settings WHERE name = ?').get('minhash') as { value: string } | undefined;
  if (row === undefined) {
    database.prepare('INSERT INTO settings (name, value) VALUES (?, ?)').run('minhash', wanted);
    return;
  }
  if (row.value !== wanted) {
    throw new NightshiftError(
      'NEAR_DUPLICATE_INDEX_MISMATCH',
      `${file} was built with MinHash parameters ${row.value}, but was opened with ${wanted}; signatures made with other parameters cannot be compared. Open it with the parameters it was built with, or delete the file to rebuild it from the conversations.`,
    );
  }
}

function toBlob(signature: Uint32Array): Buffer {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
}

function fromBlob(blob: Buffer): Uint32Array {
  // Copied: a Buffer from SQLite need not be 4-byte aligned.
  return new Uint32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/** Opens (creating) the index in `file`. Parameters default to `DEFAULT_MINHASH_PARAMETERS`. */
export function openNearDuplicateIndex(file: string, options: NearDuplicateIndexOptions = {}): NearDuplicateIndex {
  const parameters: MinHashParameters = {
    hashes: options.hashes ?? DEFAULT_MINHASH_PARAMETERS.hashes,
    bands: options.bands ?? DEFAULT_MINHASH_PARAMETERS.bands,
    shingleWords: options.shingleWords ?? DEFAULT_MINHASH_PARAMETERS.shingleWords,
    seed: options.seed ?? DEFAULT_MINHASH_PARAMETERS.seed,
  };
  const hasher = createMinHasher(parameters);
  const minimumSimilarity = options.minimumSimilarity ?? 0.5;
  const maximumCandidates = options.maximumCandidates ?? 2000;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.exec(SCHEMA);
    checkSettings(database, file, parameters);
  } catch (error) {
    database.close();
    throw error;
  }
  const placeholders = Array.from({ length: parameters.bands }, () => '?').join(', ');
  const statements = {
    candidates: database.prepare(
      `SELECT d.id AS id, d.signature AS signature FROM documents d WHERE d.document IN (SELECT document FROM bands WHERE key IN (${placeholders})) LIMIT ?`,
    ),
    insertDocument: database.prepare('INSERT OR IGNORE INTO documents (id, signature) VALUES (?, ?)'),
    insertBand: database.prepare('INSERT OR IGNORE INTO bands (key, document) VALUES (?, ?)'),
    count: database.prepare('SELECT COUNT(*) AS count FROM documents'),
  };
  const insert = database.transaction((id: string, signature: Uint32Array) => {
    const result = statements.insertDocument.run(id, toBlob(signature));
    if (result.changes === 0) return;
    for (const key of hasher.bandKeys(signature)) statements.insertBand.run(key, result.lastInsertRowid);
  });
  return {
    check(id, text) {
      const signature = hasher.signature(text);
      if (signature === undefined) return { similarity: 0 };
      const rows = statements.candidates.all(...hasher.bandKeys(signature), maximumCandidates) as { id: string; signature: Buffer }[];
      let best: NearDuplicateCheck = { similarity: 0 };
      for (const row of rows) {
        if (row.id === id) continue;
        const similarity = estimateSimilarity(signature, fromBlob(row.signature));
        if (similarity > best.similarity) best = { duplicateOf: row.id, similarity };
      }
      return best.similarity >= minimumSimilarity ? best : { similarity: best.similarity };
    },
    add(id, text) {
      const signature = hasher.signature(text);
      if (signature !== undefined) insert(id, signature);
    },
    count() {
      return (statements.count.get() as { count: number }).count;
    },
    close() {
      database.close();
    },
  };
}
