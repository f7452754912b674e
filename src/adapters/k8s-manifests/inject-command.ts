// `sightline inject FILE|-`: reads Kubernetes YAML, adds the Sightline sidecar, writes the result to stdout.
// (Stub: filled in by the inject work.)

/** Runs the command; resolves to the process exit code. */
export async function injectCommand(args: readonly string[], version: string): Promise<number> {
  void args;
  void version;
  process.stderr.write('sightline: inject is not implemented yet\n');
  return 1;
}
