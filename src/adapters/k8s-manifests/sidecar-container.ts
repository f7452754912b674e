// The Sightline container as inject adds it. The Helm chart adds the very same one: keep them in step.

export const SIDECAR_NAME = 'sightline';
export const PROXY_PORT = 15001;
export const ADMIN_PORT = 15000;
/** The sidecar's proxy port name: what a Service's targetPort points at. */
export const PROXY_PORT_NAME = 'sightline';

export function defaultImage(version: string): string {
  return `ghcr.io/sightline/sightline:${version}`;
}

export interface SidecarSettings {
  readonly image: string;
  readonly appPort: number;
  /** An init container with restartPolicy Always (Kubernetes >= 1.29), rather than a second container. */
  readonly native: boolean;
  /** Sightline's own health check asks the app this path over http (instead of a TCP connect). */
  readonly healthPath?: string;
}

export function sidecarContainer(settings: SidecarSettings): Record<string, unknown> {
  const health = settings.healthPath === undefined ? [] : ['--set', 'health.type=http', '--set', `health.path=${settings.healthPath}`];
  return {
    name: SIDECAR_NAME,
    image: settings.image,
    ...(settings.native ? { restartPolicy: 'Always' } : {}),
    args: ['run', '--upstream', `http://127.0.0.1:${settings.appPort}`, ...health],
    ports: [
      { name: PROXY_PORT_NAME, containerPort: PROXY_PORT },
      { name: 'sightline-admin', containerPort: ADMIN_PORT },
    ],
    // A native sidecar must be started before the app containers start: this gates them. /healthz, not
    // /readyz, because /readyz follows the app, which cannot be up yet.
    ...(settings.native ? { startupProbe: { httpGet: { path: '/healthz', port: 'sightline-admin' }, periodSeconds: 1, failureThreshold: 30 } } : {}),
    readinessProbe: { httpGet: { path: '/readyz', port: 'sightline-admin' }, periodSeconds: 2 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'sightline-admin' }, periodSeconds: 10 },
    resources: { requests: { cpu: '100m', memory: '160Mi' }, limits: { memory: '320Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/** The annotations that have Prometheus scrape Sightline's admin port. */
export const SCRAPE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(ADMIN_PORT),
  'prometheus.io/path': '/metrics',
};

export const INJECTED_ANNOTATION = 'sightline.dev/injected';
