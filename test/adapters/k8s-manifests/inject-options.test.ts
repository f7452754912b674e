// `sightline inject`'s own arguments.

import { describe, expect, it } from 'vitest';
import { parseInjectArgs } from '../../../src/adapters/k8s-manifests/inject-options.ts';

describe('inject arguments', () => {
  it('a FILE or - and every option, as "--name value" or "--name=value"', () => {
    expect(parseInjectArgs(['deploy.yaml'])).toEqual({ kind: 'inject', file: 'deploy.yaml', classic: false });
    expect(parseInjectArgs(['--classic', '-', '--image=r/s:1', '--container', 'api', '--upstream-port', '8080', '--take-port=http'])).toEqual({
      kind: 'inject', file: '-', classic: true, image: 'r/s:1', container: 'api', upstreamPort: 8080, takePort: 'http',
    });
    expect(parseInjectArgs(['a.yaml', '--take-port', '9090'])).toMatchObject({ takePort: 9090 });
    expect(parseInjectArgs(['a.yaml', '-h'])).toEqual({ kind: 'help' });
  });

  const refused: [string[], string][] = [
    [[], 'needs a FILE (or - for stdin)'],
    [['a.yaml', 'b.yaml'], 'takes one FILE, got "a.yaml" and "b.yaml"'],
    [['a.yaml', '--native'], 'unknown option "--native"'],
    [['a.yaml', '--image'], '--image needs a value'],
    [['a.yaml', '--image=a', '--image=b'], '--image is given twice'],
    [['a.yaml', '--upstream-port', 'http'], '--upstream-port needs a port number (1-65535), got "http"'],
    [['a.yaml', '--upstream-port', '70000'], '--upstream-port needs a port number (1-65535), got "70000"'],
    [['a.yaml', '--take-port', 'Not_A_Port'], '--take-port needs a port number (1-65535) or a port name, got "Not_A_Port"'],
    [['a.yaml', '--take-port', '0'], '--take-port needs a port number (1-65535) or a port name, got "0"'],
  ];
  it.each(refused)('refuses %j', (args, message) => {
    expect(parseInjectArgs(args)).toEqual({ kind: 'usage-error', message });
  });
});
