import { spawn } from 'node:child_process';

/**
 * Runs `body` (the inside of an async ES module) in a fresh Node process whose main thread reports
 * every module URL it resolves to the array `urls`, in scope for `body` (which may push markers of
 * its own); `body` ends by returning a value. Resolves with the URLs and that value once the child
 * has exited 0; rejects with its stderr otherwise. What the daemon loads, seen from outside it.
 */
export function runRecordingResolutions(body: string): Promise<{ urls: string[]; result: unknown }> {
  const hook = `let port; export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); port.postMessage(resolved.url); return resolved; }`;
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const urls = [];
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (url) => urls.push(url));
    register('data:text/javascript,${encodeURIComponent(hook)}', import.meta.url, { data: { port: port2 }, transferList: [port2] });
    const result = await (async () => { ${body} })();
    setTimeout(() => { port1.close(); process.stdout.write(JSON.stringify({ urls, result })); }, 100);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as { urls: string[]; result: unknown }) : reject(new Error(`exit ${code}: ${stderr}`))));
  });
}
