import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * What a first run writes when there is no configuration at all, as the original tool did: the
 * three keys as placeholders (which count as "no key") and nothing else, so every provider given
 * a key is used. `secrets.example.json` holds the same text.
 */
export const SECRETS_TEMPLATE = `${JSON.stringify(
  { mistral_api_key: 'your_key_here', together_api_key: 'your_key_here', huggingface_api_key: 'your_key_here' },
  null,
  2,
)}\n`;

/** No secrets file, no key in the environment and no local server: the template's moment. */
export class MissingSecretsError extends ConfigError {
  constructor(
    readonly secretsPath: string,
    readonly displayPath: string,
  ) {
    super(`No configuration found: ${displayPath} does not exist and no API key is set in the environment.`);
    this.name = 'MissingSecretsError';
  }
}

/**
 * Writes the template to `secretsPath` (and its directory, nothing else). Never overwrites: a
 * file that appeared meanwhile stays as it is, and so does one we cannot write (the message then
 * says how to create it by hand). Returns the message for the user.
 */
export function writeSecretsTemplate(error: MissingSecretsError): string {
  const { secretsPath, displayPath } = error;
  try {
    mkdirSync(path.dirname(secretsPath), { recursive: true });
    const descriptor = openSync(secretsPath, 'wx', 0o600);
    try {
      writeSync(descriptor, SECRETS_TEMPLATE);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  } catch (writeError) {
    const reason = (writeError as NodeJS.ErrnoException).code ?? String(writeError);
    return [
      `${error.message}`,
      `Could not write a template there (${reason}). Create it from the template:`,
      `    cp secrets.example.json ${displayPath}`,
      ...nextSteps(),
    ].join('\n');
  }
  return [
    `No configuration found, so a template was written to ${displayPath} (nothing else was created).`,
    `Fill in the key of each provider you use, replacing "your_key_here":`,
    `    mistral_api_key       Mistral`,
    `    together_api_key      Together`,
    `    huggingface_api_key   Hugging Face (a token, hf_...)`,
    `Providers left with the placeholder are not used.`,
    ...nextSteps(),
  ].join('\n');
}

function nextSteps(): string[] {
  return [
    `Keys can also come from MISTRAL_API_KEY, TOGETHER_API_KEY or HF_TOKEN (or a .env file), and a local`,
    `OpenAI-compatible server from OPENAI_COMPATIBLE_BASE_URL. Then run the same command again.`,
    `To try nightshift without any key: npm run generate -- --target 20 --offline`,
  ];
}
