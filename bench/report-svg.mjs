// A chart to read at a glance: CPU per request (the cost a sidecar adds to every call) and, beside it,
// the p99 latency each proxy adds at a moderate fixed rate — Sightline in orange, peers in grey.
// Hand-written SVG: no charting dependency for two bar panels.

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** One horizontal bar panel at (x, y); bars sorted best first. Returns SVG text and its height. */
function panel({ x, y, width, title, unit, bars, lowerIsBetter }) {
  const sorted = [...bars].sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value));
  const labelW = 140;
  const valueW = 80;
  const barH = 22;
  const gap = 8;
  const max = Math.max(...sorted.map((b) => b.value), 1e-9);
  const plotW = width - labelW - valueW;
  const parts = [`<text x="${x}" y="${y + 14}" class="title">${escape(title)}</text>`];
  sorted.forEach((bar, i) => {
    const top = y + 30 + i * (barH + gap);
    const w = Math.max(1, (Math.max(0, bar.value) / max) * plotW);
    const color = bar.highlight ? '#e8590c' : '#adb5bd';
    const weight = bar.highlight ? ' font-weight="bold"' : '';
    parts.push(
      `<text x="${x + labelW - 8}" y="${top + barH / 2 + 5}" text-anchor="end"${weight}>${escape(bar.label)}</text>`,
      `<rect x="${x + labelW}" y="${top}" width="${w.toFixed(1)}" height="${barH}" rx="3" fill="${color}"/>`,
      `<text x="${(x + labelW + w + 6).toFixed(1)}" y="${top + barH / 2 + 5}"${weight}>${escape(bar.text ?? `${bar.value.toFixed(1)} ${unit}`)}</text>`,
    );
  });
  if (sorted.length === 0) parts.push(`<text x="${x}" y="${y + 50}" class="note">no data</text>`);
  return { svg: parts.join('\n'), height: 30 + Math.max(1, sorted.length) * (barH + gap) };
}

export function svgReport(result, { workload, preferredRate = 2000 }) {
  const rows = result.summary[workload] ?? {};
  const measured = Object.entries(rows).filter(([, r]) => r.skipped === undefined);
  const cpuBars = measured.filter(([, r]) => r.cpuUsPerReq != null)
    .map(([t, r]) => ({ label: t, value: r.cpuUsPerReq, highlight: t === 'sightline', text: `${r.cpuUsPerReq.toFixed(1)} µs` }));

  // Second panel: added p99 at the preferred rate (or the nearest measured), else throughput.
  const rates = [...new Set(measured.flatMap(([, r]) => (r.latency ?? []).map((l) => l.rate)))];
  const rate = rates.sort((a, b) => Math.abs(a - preferredRate) - Math.abs(b - preferredRate))[0];
  const latencyBars = measured
    .map(([t, r]) => ({ t, l: r.latency?.find((x) => x.rate === rate) }))
    .filter(({ t, l }) => t !== 'direct' && l?.added.p99 != null)
    .map(({ t, l }) => ({ label: t, value: l.added.p99, highlight: t === 'sightline', text: `${l.added.p99.toFixed(2)} ms` }));
  const second = latencyBars.length > 0
    ? { title: `Added p99 latency, ${workload} @ ${rate} req/s (ms, lower is better)`, unit: 'ms', bars: latencyBars, lowerIsBetter: true }
    : { title: `Throughput, ${workload} (req/s, higher is better)`, unit: 'req/s', lowerIsBetter: false,
      bars: measured.map(([t, r]) => ({ label: t, value: r.rps, highlight: t === 'sightline', text: `${Math.round(r.rps)} req/s` })) };

  const width = 1000;
  const half = (width - 60) / 2;
  const left = panel({ x: 20, y: 60, width: half, title: `CPU per request, ${workload} GET (µs, lower is better)`, unit: 'µs', bars: cpuBars, lowerIsBetter: true });
  const right = panel({ x: 40 + half, y: 60, width: half, ...second });
  const height = 60 + Math.max(left.height, right.height) + 50;
  const m = result.machine;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13" fill="#212529">
<style>.title{font-weight:bold;font-size:14px}.note{fill:#868e96;font-size:11px}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="28" font-size="18" font-weight="bold">Sightline vs peers — proxy cost per request</text>
<text x="20" y="46" class="note">${escape(`${result.date} · ${m.cores} cores ${m.cpuModel} · Node ${m.node} · median of ${result.options.rounds} round(s) · wrk ${result.options.connections} conns, ${result.options.durationS} s`)}</text>
${left.svg}
${right.svg}
<text x="20" y="${height - 28}" class="note">CPU = utime+stime of the proxy process(es) from /proc/PID/stat over the wrk saturation window ÷ requests completed (direct has no proxy).</text>
<text x="20" y="${height - 12}" class="note">Added latency = target − direct in the same round, open loop timed from each request's intended send time; negative = within noise.</text>
</svg>
`;
}
