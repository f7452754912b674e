// Everything the demo prints: the banner with what to try, the incident's phase changes, breaker
// transitions as they happen, one compact live line every few seconds, a retried request's trace now
// and then, and a summary at the end. Colour only on a terminal (styleText checks, and honours NO_COLOR).

import { styleText } from 'node:util';
import { clientSpans } from './sightline-admin.mjs';

const style = (format, text) => styleText(format, text);

const BREAKER_STYLE = { closed: 'green', open: ['bold', 'red'], 'half-open': 'yellow' };

const TRANSITION_MEANING = {
  open: 'requests on this route now get 503 circuit_open at once, sparing the app',
  'half-open': 'one probe request goes through to the app',
  closed: 'the probe succeeded: traffic flows again',
};

/**
 * "products OPEN; product, orders, slow closed": routes grouped by state, the ones to look at first. The
 * default route takes no demo traffic, so it is named only when its breaker is not closed.
 */
function breakerSummary(breakers) {
  const groups = [];
  for (const state of ['open', 'half-open', 'closed']) {
    const routes = Object.entries(breakers).filter(([route, s]) => s === state && !(route === 'default' && s === 'closed')).map(([route]) => route);
    if (routes.length > 0) groups.push(`${routes.join(', ')} ${style(BREAKER_STYLE[state], state === 'open' ? 'OPEN' : state)}`);
  }
  return groups.join('; ');
}

export function createConsoleView(startedAt, write = (line) => console.log(line)) {
  const clock = () => {
    const seconds = Math.floor((Date.now() - startedAt) / 1000);
    return style('dim', `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`);
  };
  const breakerName = (state) => (state === 'open' ? 'OPEN' : state);

  return {
    banner({ appUrl, proxyUrl, adminUrl, dashboardLive, logFile, sightline, rate, phases, scale }) {
      const phaseList = phases.map((p) => `${p.name} ${Math.round(p.seconds * scale * 10) / 10}s`).join(' → ');
      write([
        '',
        style('bold', 'Sightline demo') + ': a small shop API, Sightline in front of it, and clients calling it.',
        '',
        `  shop app     ${appUrl}   (in this process; GET ${appUrl}/control shows its faults)`,
        `  Sightline    ${proxyUrl}   (pid ${sightline.pid})`,
        `               ${style('dim', sightline.commandLine)}`,
        `  admin        ${adminUrl}   /metrics  /debug/traces  /readyz`,
        `  logs         ${logFile}   (Sightline's JSON log and access log)`,
        '',
        `${style('bold', 'Dashboard:')} ${adminUrl}/` + (dashboardLive ? '' : style('dim', '   (not in this build yet: it answers 404; the curls below show the same data)')),
        '',
        `Clients send ~${rate} requests/s through Sightline. The app plays an incident on a loop:`,
        `  ${phaseList} → again`,
        '',
        style('bold', 'Try, in another terminal:'),
        `  1. A request through Sightline: x-request-id added, x-shop-attempt says which attempt the app answered`,
        `       curl -i ${proxyUrl}/products/1`,
        `  2. Break the app yourself (this pauses the script), watch the breakers open, then hand back to the script`,
        `       curl -X POST '${appUrl}/control?failRate=1'`,
        `       curl -X POST '${appUrl}/control?incident=on'`,
        `  3. Recent traces, newest first (a retried request has one client span per attempt), and the metrics`,
        `       curl -s ${adminUrl}/debug/traces | head -c 2000; echo`,
        `       curl -s ${adminUrl}/metrics | grep -E '^sightline_(retries|circuit)'`,
        '',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'));
    },

    phase(phase) {
      write(`${clock()} ${style(['bold', 'cyan'], `── incident: ${phase.name} for ${Math.round(phase.ms / 100) / 10}s ──`)} ${phase.story}`);
    },

    breaker({ routes, from, to }) {
      const arrow = `${breakerName(from)} → ${style(BREAKER_STYLE[to], breakerName(to))}`;
      const meaning = from === 'half-open' && to === 'open' ? 'the probe failed: open again, for longer' : TRANSITION_MEANING[to];
      write(`${clock()}   breaker ${style('bold', routes.join(', '))}: ${arrow}   ${style('dim', meaning)}`);
    },

    /** `counts`: what clients saw since the last line; `metrics`: Sightline's view (undefined if unreadable). */
    status({ phase, counts, retriesSince, metrics }) {
      const clients = `sent ${counts.sent}: ${style('green', `${counts.ok} ok`)}, ${counts.clientErrors} 4xx, ` +
        (counts.serverErrors > 0 ? style('red', `${counts.serverErrors} 5xx`) : '0 5xx') +
        (counts.circuitOpen > 0 ? ` (${counts.circuitOpen} circuit_open)` : '') +
        (counts.failed > 0 ? `, ${counts.failed} failed` : '');
      const resilience = metrics === undefined ? 'metrics unavailable' : `retries +${retriesSince} │ breakers: ${breakerSummary(metrics.breakers)}`;
      write(`${clock()} ${(phase ?? 'paused').padEnd(10)} │ ${clients} │ ${resilience}`);
    },

    retriedTrace(trace) {
      const server = trace.spans.find((s) => s.kind === 'server');
      const status = server?.attributes['http.response.status_code'] ?? '?';
      const lines = [`${clock()}   a retried request, from /debug/traces: ${style('bold', trace.name)} → ${status} in ${Math.round(trace.durationMs)}ms (trace ${trace.traceId})`];
      clientSpans(trace).forEach((span, i) => {
        const outcome = span.attributes['http.response.status_code'] ?? span.attributes['error.type'] ?? '?';
        lines.push(`         attempt ${i + 1}: ${outcome} after ${span.durationMs.toFixed(1)}ms, started at +${span.offsetMs.toFixed(1)}ms`);
      });
      write(lines.join('\n'));
    },

    error(message) {
      write(style('red', `demo: ${message}`));
    },

    goodbye({ totals, metrics, seconds }) {
      const sightline = metrics === undefined ? '' : `; Sightline retried ${metrics.retries}, breakers opened ${metrics.opened} and closed ${metrics.closed} times`;
      write(`\n${clock()} stopped after ${seconds}s: ${totals.sent} requests sent, ${totals.ok} ok, ${totals.serverErrors} 5xx${sightline}. Everything is shut down.`);
    },
  };
}
