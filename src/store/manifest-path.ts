import path from 'node:path';

/** `data/trainingData/out.jsonl` → `data/trainingData/out.manifest.json`: what produced the output, beside it. */
export function manifestPath(outputPath: string): string {
  const extension = path.extname(outputPath);
  return `${outputPath.slice(0, outputPath.length - extension.length)}.manifest.json`;
}
