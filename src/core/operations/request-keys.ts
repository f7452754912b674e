// What the operations policies may read of a request to key their decisions: a header (the rate limit's
// bucket, a flag's side, a fault's opt-in header) and the request id. The exchange implements it itself,
// reading its raw header list, so asking costs no object per request.

export interface RequestKeys {
  /** The first value of a request header, by its lower-case name; undefined when absent. */
  header(name: string): string | undefined;
  readonly requestId: string | undefined;
}
