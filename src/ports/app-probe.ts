// How the core asks "is the app up?" without knowing whether that is a TCP connect or an HTTP GET.

export interface ProbeResult {
  readonly ok: boolean;
  /** Short human text: `connected`, `HTTP 200`, `ECONNREFUSED`, `timed out after 1s`. */
  readonly detail: string;
}

export interface AppProbe {
  check(timeoutMs: number): Promise<ProbeResult>;
}
