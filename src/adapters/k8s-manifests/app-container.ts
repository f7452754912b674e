// The app container of a pod template: which one it is, the port Sightline sends its traffic to, and
// the readiness probe Sightline's own health check can follow.

import type { YAMLMap } from 'yaml';
import { ManifestError, childOf, mapItems, optionalMap, optionalSeq, scalarOf, stringOf, type At } from './node-access.ts';
import { ADMIN_PORT, PROXY_PORT } from './sidecar-container.ts';

export interface ContainerPort {
  readonly name: string | undefined;
  readonly number: number;
  readonly at: At<YAMLMap>;
}

export function portsOf(container: At<YAMLMap>): ContainerPort[] {
  const ports = optionalSeq(container, 'ports');
  return ports === undefined ? [] : mapItems(ports).map((port) => {
    const number = scalarOf(port, 'containerPort');
    if (typeof number !== 'number' || !Number.isInteger(number)) throw new ManifestError(childOf(port, 'containerPort') ?? port, 'must be a port number');
    return { name: stringOf(port, 'name'), number, at: port };
  });
}

export function appContainerOf(containers: At<unknown>, items: readonly At<YAMLMap>[], wanted: string | undefined): At<YAMLMap> {
  if (wanted === undefined) return items[0] as At<YAMLMap>;
  const found = items.find((c) => stringOf(c, 'name') === wanted);
  if (found === undefined) {
    const names = items.map((c) => stringOf(c, 'name') ?? '?').join(', ');
    throw new ManifestError(containers, `has no container named "${wanted}" (--container); it has: ${names}`);
  }
  return found;
}

/** The port taken over (--take-port) as a number, if one was given. */
export function takenPortOf(app: At<YAMLMap>, ports: readonly ContainerPort[], takePort: number | string | undefined): number | undefined {
  if (typeof takePort !== 'string') return takePort;
  const named = ports.find((p) => p.name === takePort);
  if (named === undefined) throw new ManifestError(childOf(app, 'ports') ?? app, `has no port named "${takePort}" (--take-port)`);
  return named.number;
}

export function appPortOf(app: At<YAMLMap>, ports: readonly ContainerPort[], upstreamPort: number | undefined, takenPort: number | undefined): number {
  const port = upstreamPort ?? takenPort ?? ports[0]?.number;
  if (port === undefined) throw new ManifestError(app, 'has no containerPort to send traffic to: give the app\'s port with --upstream-port (or --take-port)');
  if (port === PROXY_PORT || port === ADMIN_PORT) throw new ManifestError(app, `the app's port ${port} is one Sightline listens on (${PROXY_PORT} proxy, ${ADMIN_PORT} admin)`);
  return port;
}

/** The pod's containers share one network: none of them may already listen where Sightline does. */
export function refuseSightlinePorts(containers: readonly At<YAMLMap>[]): void {
  for (const container of containers) {
    const clash = portsOf(container).find((p) => p.number === PROXY_PORT || p.number === ADMIN_PORT);
    if (clash !== undefined) throw new ManifestError(clash.at, `containerPort ${clash.number} is one Sightline listens on (${PROXY_PORT} proxy, ${ADMIN_PORT} admin); the pod's containers share its ports`);
  }
}

/** The path of the app's http readiness probe on `port` (by number or name), if it has one. */
export function readinessPathOf(app: At<YAMLMap>, port: number, names: ReadonlySet<string>): string | undefined {
  const probe = optionalMap(app, 'readinessProbe');
  const httpGet = probe === undefined ? undefined : optionalMap(probe, 'httpGet');
  if (httpGet === undefined) return undefined;
  const probePort = scalarOf(httpGet, 'port');
  const onPort = probePort === port || (typeof probePort === 'string' && names.has(probePort));
  const scheme = stringOf(httpGet, 'scheme') ?? 'HTTP';
  return onPort && scheme.toUpperCase() === 'HTTP' ? (stringOf(httpGet, 'path') ?? '/') : undefined;
}
