// How one upstream attempt ended: the app's status code when it answered, otherwise what went wrong.
// A number or a short string, so recording an outcome allocates nothing.

/** Why an attempt produced no response. */
export type AttemptError =
  /** No connection to the app: nothing was sent, so a retry is always safe. */
  | 'connect-failure'
  /** The app closed or reset the connection before answering. */
  | 'reset'
  /** The attempt outlived `perTryTimeout`. */
  | 'per-try-timeout'
  /** The request outlived the route's overall `timeout`, or the app went silent mid-response. */
  | 'timeout'
  /** The app's response could not be parsed. */
  | 'protocol-error';

/** The app's status code, or an AttemptError. */
export type AttemptOutcome = number | AttemptError;

export const ATTEMPT_ERRORS: readonly AttemptError[] = ['connect-failure', 'reset', 'per-try-timeout', 'timeout', 'protocol-error'];

/** The label an outcome goes by in events, metrics and logs: `503`, `connect-failure`. */
export function outcomeName(outcome: AttemptOutcome): string {
  return typeof outcome === 'number' ? String(outcome) : outcome;
}

const ERROR_TYPES: Readonly<Record<AttemptError, string>> = {
  'connect-failure': 'connect_failure',
  reset: 'reset',
  'per-try-timeout': 'timeout',
  timeout: 'timeout',
  'protocol-error': 'protocol_error',
};

/** An attempt error as telemetry names it (OTel `error.type`): `connect_failure`, `timeout`, ... */
export function errorType(error: AttemptError): string {
  return ERROR_TYPES[error];
}

/**
 * A set of outcomes, written in config as a list of names: error kinds, `5xx`, `gateway-error`
 * (502, 503, 504) or explicit status codes. Compiled to a lookup table: a membership test is one read.
 */
export class OutcomeSet {
  readonly #statuses = new Uint8Array(600);
  readonly #errors = new Set<AttemptError>();

  constructor(names: readonly string[]) {
    for (const name of names) {
      const kind = OUTCOME_ALIASES[name] ?? name;
      if (kind === '5xx') this.#statuses.fill(1, 500, 600);
      else if (kind === 'gateway-error') for (const s of [502, 503, 504]) this.#statuses[s] = 1;
      else if (kind === 'timeout') {
        // Any timeout: the overall one, a per-try one, or the app going silent.
        this.#errors.add('timeout');
        this.#errors.add('per-try-timeout');
      } else if ((ATTEMPT_ERRORS as readonly string[]).includes(kind)) this.#errors.add(kind as AttemptError);
      else if (/^[1-5]\d\d$/.test(kind)) this.#statuses[Number(kind)] = 1;
      else throw new Error(`unknown outcome "${name}"`);
    }
  }

  has(outcome: AttemptOutcome): boolean {
    return typeof outcome === 'number' ? this.#statuses[outcome] === 1 : this.#errors.has(outcome);
  }
}

/** Other names users know these outcomes by (Envoy's `refused-stream` is HTTP/2's reset before processing). */
const OUTCOME_ALIASES: Readonly<Record<string, string>> = { 'refused-stream': 'reset' };

/** Checks an outcome name written in config; returns an error message or undefined. */
export function checkOutcomeName(name: string, allowed: readonly string[]): string | undefined {
  const kind = OUTCOME_ALIASES[name] ?? name;
  if (allowed.includes(kind) || /^[1-5]\d\d$/.test(kind)) return undefined;
  return `"${name}" is not one of: ${allowed.join(', ')}, or a status code such as 503`;
}
