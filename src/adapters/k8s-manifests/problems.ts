// What `sightline inject` reports about its input: errors stop the output, warnings only inform.

export interface Problem {
  /** The document and resource, e.g. "document 2 (Deployment web)"; empty for the input as a whole. */
  readonly subject: string;
  /** Where in the resource, e.g. "spec.template.spec.containers"; empty for the resource as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based position in the input, when one place is to blame. */
  readonly line?: number;
  readonly col?: number;
}

/** One line for stderr: `deploy.yaml:12:7: document 2 (Deployment web): spec.template.spec.containers: must be a list`. */
export function formatProblem(source: string, problem: Problem): string {
  const where = problem.line === undefined ? source : `${source}:${problem.line}:${problem.col ?? 1}`;
  return [where, problem.subject, problem.path, problem.message].filter((part) => part !== '').join(': ');
}
