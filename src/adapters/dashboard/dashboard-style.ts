// The dashboard's stylesheet, served as /dashboard.css.

export const DASHBOARD_STYLE = `:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #d9dde5;
  --ok: #5b7db8; --err: #d1423f; --p50: #2f7bd8; --p99: #e08a1e; --good: #1f8a4c; --warn: #c98a00;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
body.stale main { opacity: 0.55; }
.top { display: flex; align-items: center; gap: 10px; padding: 10px 18px; background: #1d2330; color: #fff; }
.top h1 { font-size: 18px; margin: 0 10px 0 0; letter-spacing: 0.02em; }
.meta { margin-left: auto; color: #b8c0d0; font-size: 12px; }
.pill { border-radius: 999px; padding: 2px 10px; font-size: 12px; font-weight: 600; background: #4a5263; color: #fff; }
.pill-live { background: var(--good); }
.pill-down { background: var(--err); }
.pill-wait { background: #4a5263; }
.banner { background: #fde8e7; color: #8a1f1c; border-bottom: 1px solid #f3b6b3; padding: 10px 18px; font-weight: 600; }
main { padding: 6px 18px 18px; }
section { margin-top: 14px; }
h2 { font-size: 15px; margin: 8px 0; }
h2 small, .muted, .note { color: var(--muted); font-weight: normal; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
.routes { display: grid; gap: 12px; }
.route { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.route > header { display: flex; align-items: center; gap: 10px; }
.route h3 { margin: 0; font-size: 15px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.kpis { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0; }
.kpi-name { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
.kpi-value { font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi-sub { color: var(--muted); font-size: 11px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 10px; }
.chart-box { margin: 0; }
.chart-box figcaption { font-size: 12px; color: var(--muted); }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: #edf0f4; }
.chart .axis { stroke: var(--line); }
.chart .tick { font-size: 9px; fill: var(--muted); }
.chart .line { fill: none; stroke-width: 1.6; }
.bar.s-ok { fill: var(--ok); }
.bar.s-err { fill: var(--err); }
.line.s-err { stroke: var(--err); } .dot.s-err { fill: var(--err); }
.line.s-p50 { stroke: var(--p50); } .dot.s-p50 { fill: var(--p50); }
.line.s-p99 { stroke: var(--p99); } .dot.s-p99 { fill: var(--p99); }
.legend { display: flex; gap: 12px; font-size: 11px; color: var(--muted); }
.key::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; background: var(--muted); }
.key.s-ok::before { background: var(--ok); } .key.s-err::before { background: var(--err); }
.key.s-p50::before { background: var(--p50); } .key.s-p99::before { background: var(--p99); }
.badge { border-radius: 4px; padding: 1px 7px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.state-closed { color: var(--good); }
.state-open { color: var(--err); }
.state-half-open { color: var(--warn); }
.state-none, .state-unknown { color: var(--muted); }
.badge.state-open { background: var(--err); color: #fff; border-color: var(--err); }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
.table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; font-size: 13px; }
.table th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--line); }
.table td { padding: 5px 8px; border-top: 1px solid #eef0f3; vertical-align: top; }
.table .num { text-align: right; font-variant-numeric: tabular-nums; }
.table .path, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.status { font-weight: 650; } .status-5xx { color: var(--err); } .status-4xx { color: var(--warn); }
.trace-row td { border-top: none; padding-top: 0; }
.transitions { margin: 0; padding-left: 16px; font-size: 12px; }
.waterfall { width: 100%; max-width: 720px; height: auto; display: block; }
.span-label, .span-dur { font-size: 10px; fill: var(--ink); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.span-dur { fill: var(--muted); }
.span-bar.span-server { fill: #7a8aa8; }
.span-bar.span-client { fill: var(--p50); }
.span-bar.span-other { fill: #9aa3b2; }
.span-bar.span-error { fill: var(--err); }
.span-event { stroke: var(--ink); stroke-width: 1.2; }
pre.config { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; max-height: 420px; overflow: auto; font-size: 12px; }
summary { cursor: pointer; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
footer { padding: 10px 18px 18px; color: var(--muted); font-size: 12px; }
a { color: var(--p50); }
`;
