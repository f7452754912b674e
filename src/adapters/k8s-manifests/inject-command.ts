// `sightline inject FILE|-`: reads Kubernetes YAML, adds the Sightline sidecar, writes the result to stdout.
// The I/O around injectManifests: nothing reaches stdout unless the whole input was injected.

import { readFile } from 'node:fs/promises';
import { injectManifests } from './inject-manifests.ts';
import { INJECT_USAGE, parseInjectArgs } from './inject-options.ts';
import { formatProblem } from './problems.ts';
import { defaultImage } from './sidecar-container.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

/** Runs the command; resolves to the process exit code. */
export async function injectCommand(args: readonly string[], version: string): Promise<number> {
  const parsed = parseInjectArgs(args);
  if (parsed.kind === 'help') {
    await write(process.stdout, `${INJECT_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    process.stderr.write(`sightline inject: ${parsed.message}\n\n${INJECT_USAGE}\n`);
    return 2;
  }

  const source = parsed.file === '-' ? '<stdin>' : parsed.file;
  let text: string;
  try {
    text = parsed.file === '-' ? await readStdin() : await readFile(parsed.file, 'utf8');
  } catch (error) {
    process.stderr.write(`sightline inject: cannot read ${source}: ${describeReadError(error)}\n`);
    return 1;
  }

  const result = injectManifests(text, {
    image: parsed.image ?? defaultImage(version),
    version,
    native: !parsed.classic,
    upstreamPort: parsed.upstreamPort,
    takePort: parsed.takePort,
    container: parsed.container,
  });
  if (!result.ok) {
    for (const error of result.errors) process.stderr.write(`sightline inject: ${formatProblem(source, error)}\n`);
    return 1;
  }
  for (const warning of result.warnings) process.stderr.write(`sightline inject: warning: ${formatProblem(source, warning)}\n`);
  await write(process.stdout, result.text);
  return 0;
}
