// `sightline inject`'s command line: what it accepts, and the settings it yields.

export interface InjectOptions {
  readonly image: string;
  readonly version: string;
  /** The sidecar as a native sidecar (an init container with restartPolicy Always), or, false, a second container. */
  readonly native: boolean;
  readonly upstreamPort?: number;
  /** A port number, or the name of a port of the app container. */
  readonly takePort?: number | string;
  /** The app container's name; the first container when absent. */
  readonly container?: string;
}

export const INJECT_USAGE = `Usage: sightline inject FILE|- [--classic] [--image IMAGE] [--container NAME] [--upstream-port PORT] [--take-port PORT]

Adds the Sightline sidecar to every pod template in Kubernetes YAML (Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job, CronJob, Pod, List) and writes the result to stdout. FILE - reads stdin.

Options:
  --classic             add it as a second container, for clusters older than Kubernetes 1.29
                        (default: a native sidecar, an init container with restartPolicy: Always)
  --image IMAGE         the sidecar image (default ghcr.io/sightline/sightline:VERSION)
  --container NAME      the app container (default: the first one)
  --upstream-port PORT  the app's port (default: the --take-port port, else the app container's first containerPort)
  --take-port PORT      a port number or name of the app container: Services in the input that send it traffic
                        are pointed at Sightline (targetPort: sightline), and Sightline's health check follows
                        the app's readiness probe on it`;

export type ParsedInjectArgs =
  | { readonly kind: 'inject'; readonly file: string; readonly classic: boolean; readonly image?: string; readonly container?: string; readonly upstreamPort?: number; readonly takePort?: number | string }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

const VALUE_OPTIONS = ['--image', '--container', '--upstream-port', '--take-port'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

function portNumber(text: string): number | undefined {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** A Kubernetes port name (IANA_SVC_NAME): lower-case letters, digits and inner dashes, at least one letter, at most 15. */
function isPortName(text: string): boolean {
  return text.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text) && /[a-z]/.test(text) && !text.includes('--');
}

export function parseInjectArgs(args: readonly string[]): ParsedInjectArgs {
  const values = new Map<ValueOption, string>();
  let classic = false;
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '-' || !arg.startsWith('-')) {
      if (file !== undefined) return { kind: 'usage-error', message: `takes one FILE, got "${file}" and "${arg}"` };
      file = arg;
      continue;
    }
    if (arg === '--classic') {
      classic = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!isValueOption(name)) return { kind: 'usage-error', message: `unknown option "${arg}"` };
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return { kind: 'usage-error', message: `${name} needs a value` };
    if (values.has(name)) return { kind: 'usage-error', message: `${name} is given twice` };
    values.set(name, value);
  }
  if (file === undefined) return { kind: 'usage-error', message: 'needs a FILE (or - for stdin)' };

  const upstreamText = values.get('--upstream-port');
  const upstreamPort = upstreamText === undefined ? undefined : portNumber(upstreamText);
  if (upstreamText !== undefined && upstreamPort === undefined) return { kind: 'usage-error', message: `--upstream-port needs a port number (1-65535), got "${upstreamText}"` };
  const takeText = values.get('--take-port');
  const takePort = takeText === undefined ? undefined : (portNumber(takeText) ?? (isPortName(takeText) ? takeText : undefined));
  if (takeText !== undefined && takePort === undefined) return { kind: 'usage-error', message: `--take-port needs a port number (1-65535) or a port name, got "${takeText}"` };
  const image = values.get('--image');
  const container = values.get('--container');
  return {
    kind: 'inject',
    file,
    classic,
    ...(image === undefined ? {} : { image }),
    ...(container === undefined ? {} : { container }),
    ...(upstreamPort === undefined ? {} : { upstreamPort }),
    ...(takePort === undefined ? {} : { takePort }),
  };
}
