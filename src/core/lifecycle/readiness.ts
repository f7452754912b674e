// Readiness: Kubernetes should send traffic only when the app is healthy and Sightline is not draining.

export type NotReadyReason = 'starting' | 'app_unhealthy' | 'draining';

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: NotReadyReason; readonly detail: string };

export interface ReadinessInputs {
  readonly listening: boolean;
  readonly draining: boolean;
  readonly appHealthy: boolean;
  readonly appDetail: string;
  /** Why the listener is not up yet, when there is more to say (e.g. how many workers are listening). */
  readonly startingDetail?: string;
}

export function readiness(s: ReadinessInputs): Readiness {
  if (s.draining) return { ready: false, reason: 'draining', detail: 'shutting down: finishing in-flight requests' };
  if (!s.listening) return { ready: false, reason: 'starting', detail: s.startingDetail ?? 'proxy listener not up yet' };
  if (!s.appHealthy) return { ready: false, reason: 'app_unhealthy', detail: s.appDetail };
  return { ready: true };
}
