// What the numbers were measured on: they mean little without the machine and the versions.

import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { run } from './processes.mjs';

function packageVersion(root, name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** A tool's version, e.g. "nginx 1.22.1" (nginx and wrk print it on stderr, wrk also exits 1). */
async function toolVersion(name, path, args) {
  if (path === undefined) return null;
  const { stdout, stderr } = await run(path, args, { timeoutMs: 5000 });
  const version = /(\d+\.\d+\.\d+[\w.+~-]*)/.exec(`${stdout}${stderr}`)?.[1];
  return version === undefined ? null : `${name} ${version}`;
}

export async function describeMachine(projectRoot, tools) {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cores: cpus().length,
    cpuModel: model.trim(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    sightline: JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version,
    nginx: await toolVersion('nginx', tools.nginx?.path, ['-v']),
    haproxy: await toolVersion('haproxy', tools.haproxy?.path, ['-v']),
    wrk: await toolVersion('wrk', tools.wrk?.path, ['-v']),
    packages: Object.fromEntries(['undici', 'http-proxy-3', 'fastify', '@fastify/http-proxy', '@fastify/reply-from'].map((n) => [n, packageVersion(projectRoot, n)])),
  };
}
