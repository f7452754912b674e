// The Markdown report: one table per workload, Sightline's ratios beside every peer.

const fmt = (v, digits = 0) => (v == null ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const times = (v) => (v == null ? '—' : `${v.toFixed(2)}×`);
const ms = (v) => (v == null ? '—' : v.toFixed(2));

function latencyCell(row, rate, isBaseline) {
  const l = row.latency?.find((x) => x.rate === rate);
  if (l === undefined) return '—';
  const values = isBaseline ? [l.p50, l.p90, l.p99, l.p999] : [l.added.p50, l.added.p90, l.added.p99, l.added.p999];
  const flag = l.errors > 0 ? ` ⚠${l.errors} err` : '';
  // An open loop that could not keep the rate measures a queue, not the proxy: say so.
  const behind = l.achievedRps < rate * 0.95 ? ` ⚠ only ${fmt(l.achievedRps)}/s` : '';
  return `${isBaseline ? 'base ' : ''}${values.map(ms).join(' / ')}${flag}${behind}`;
}

export function markdownReport(result) {
  const { options, machine, summary } = result;
  const lines = [
    `# Sightline benchmark — ${result.date}`,
    '',
    `${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.nginx ?? 'nginx n/a'}, ${machine.haproxy ?? 'haproxy n/a'}, ${machine.wrk ?? 'wrk n/a'}.`,
    `${options.rounds} round(s), interleaved; medians across rounds. Saturation: wrk, 1 thread, ${options.connections} connections, ${options.durationS} s after ${options.warmupS} s warm-up.`,
    `Latency: open loop over ${options.openLoopConnections} keep-alive connections, ${options.rateDurationS} s per rate, from each request's intended send time; ` +
      '"added" = target minus `direct` in the same round, p50 / p90 / p99 / p99.9 in ms. ×SL = ratio to Sightline in the same round.',
  ];
  for (const [size, rows] of Object.entries(summary)) {
    const rates = options.rates.filter((rate) => Object.values(rows).some((r) => r.latency?.some((l) => l.rate === rate)));
    lines.push('', `## ${size}`, '');
    const header = ['target', 'req/s', '×SL req/s', 'CPU µs/req', '×SL CPU', 'peak RSS MB', 'idle RSS MB', ...rates.map((r) => `added ms @${r}/s`)];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const [target, row] of Object.entries(rows)) {
      const name = target === 'sightline' ? '**sightline**' : target;
      if (row.skipped !== undefined) {
        lines.push(`| ${name} | skipped: ${String(row.skipped).replaceAll('|', '/').replaceAll('\n', ' ').slice(0, 160)} |${' |'.repeat(header.length - 2)}`);
        continue;
      }
      const errors = row.non2xx + row.socketErrors > 0 ? ` ⚠${row.non2xx + row.socketErrors} err` : '';
      lines.push(`| ${[
        name, `${fmt(row.rps)}${errors}`, times(row.vsSightline.rps), fmt(row.cpuUsPerReq, 1), times(row.vsSightline.cpuUsPerReq),
        fmt(row.peakRssMB, 1), fmt(row.idleRssMB, 1), ...rates.map((rate) => latencyCell(row, rate, target === 'direct')),
      ].join(' | ')} |`);
    }
  }
  lines.push('', '`direct` has no proxy process: its CPU and memory columns are empty and its latency is the baseline ("base", absolute ms).');
  return `${lines.join('\n')}\n`;
}
