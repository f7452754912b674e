// The dashboard's script, served as /dashboard.js (a separate file, so the page's Content-Security-Policy
// needs no 'unsafe-inline'). Plain DOM and SVG, no framework: it polls /debug/stats every two seconds,
// /debug/config now and then, and /debug/traces when a listed request was sampled, and redraws.
// Everything that comes from the server goes into the page as text nodes or attribute values, never
// as markup: route names and paths are chosen by clients and the config.
//
// Kept as a string in a TypeScript module so the one-file bundle and the single executable carry it
// (no file is read at run time). Written without backticks or dollar-brace, so String.raw keeps it verbatim.

export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var POLL_MS = 2000;
  var CONFIG_EVERY_MS = 30000;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  // ?window=60 shows the last minute only (10 to 300 seconds; default: the whole five minutes).
  var WINDOW = Math.max(10, Math.min(300, Math.floor(Number(new URLSearchParams(location.search).get('window'))) || 300));
  var STATES = { closed: 1, open: 1, 'half-open': 1 };

  var state = { stats: null, config: null, configAt: 0, traces: {}, missing: {}, lastOk: 0, error: null };

  // ---- DOM helpers: text only, never markup ----

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === undefined || children === null) return node;
    if (!Array.isArray(children)) children = [children];
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === undefined || c === null || c === false) continue;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, String(attrs[k]));
    append(node, children);
    return node;
  }

  function replace(id, children) {
    var node = document.getElementById(id);
    while (node.firstChild) node.removeChild(node.firstChild);
    append(node, children);
  }

  // ---- formatting ----

  function fmtMs(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms >= 1000) return (ms / 1000).toFixed(ms >= 10000 ? 1 : 2) + ' s';
    if (ms >= 100) return Math.round(ms) + ' ms';
    if (ms >= 10) return ms.toFixed(1) + ' ms';
    return ms.toFixed(2) + ' ms';
  }
  function fmtPct(r) { return r === null || r === undefined ? '–' : (r * 100).toFixed(1) + '%'; }
  function fmtRate(n) { return n >= 100 ? Math.round(n) + '/s' : n.toFixed(1) + '/s'; }
  function fmtCount(n) { return n >= 10000 ? (n / 1000).toFixed(1) + 'k' : String(n); }
  function fmtTime(iso) {
    if (!iso) return '–';
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour12: false });
  }
  function fmtAgo(iso) {
    if (!iso) return '';
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ago';
  }
  function stateClass(s) { return STATES[s] ? 'state-' + s : 'state-unknown'; }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (v <= steps[i] * p) return steps[i] * p;
    return 10 * p;
  }

  // ---- charts ----

  var W = 320, H = 110, L = 44, R = 6, T = 8, B = 18;

  /** A chart of per-second series: bars (stacked) or lines. opts: id, title, kind, series [{name, cls, values}], format, max */
  function chart(opts) {
    var n = opts.series[0].values.length;
    var peak = 0, points = 0, sums = [];
    for (var s = 0; s < opts.series.length; s++) {
      var vals = opts.series[s].values, sum0 = 0;
      for (var i = 0; i < vals.length; i++) {
        var v = vals[i];
        if (v === null || v === undefined) continue;
        sum0 += v;
        points++;
        if (opts.kind !== 'stack' && v > peak) peak = v;
      }
      sums.push(Math.round(sum0 * 1000) / 1000);
    }
    if (opts.kind === 'stack') {
      for (var j = 0; j < n; j++) {
        var sum = 0;
        for (var t = 0; t < opts.series.length; t++) sum += opts.series[t].values[j] || 0;
        if (sum > peak) peak = sum;
      }
    }
    var max = opts.max !== undefined ? opts.max : niceMax(peak);
    var plotW = W - L - R, plotH = H - T - B;
    var x = function (k) { return L + (k + 0.5) * plotW / n; };
    var y = function (val) { return T + plotH - Math.min(val, max) / max * plotH; };
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'data-chart': opts.id, 'data-sums': sums.join(','), 'data-peak': peak, 'data-points': points });
    root.appendChild(svg('title', {}, opts.title));
    [0, 0.5, 1].forEach(function (f) {
      var gy = T + plotH - f * plotH;
      root.appendChild(svg('line', { x1: L, x2: W - R, y1: gy, y2: gy, class: f === 0 ? 'axis' : 'grid' }));
      root.appendChild(svg('text', { x: L - 4, y: gy + 3, class: 'tick', 'text-anchor': 'end' }, opts.format(max * f)));
    });
    root.appendChild(svg('text', { x: L, y: H - 4, class: 'tick' }, n >= 120 ? '-' + Math.round(n / 60) + ' min' : '-' + n + ' s'));
    root.appendChild(svg('text', { x: W - R, y: H - 4, class: 'tick', 'text-anchor': 'end' }, 'now'));
    // A pixel between bars when there is room for it.
    var barW = plotW / n > 3 ? plotW / n - 1 : Math.max(plotW / n, 1);
    if (opts.kind === 'stack') {
      for (var k = 0; k < n; k++) {
        var base = 0;
        for (var q = 0; q < opts.series.length; q++) {
          var val = opts.series[q].values[k] || 0;
          if (val <= 0) continue;
          var top = y(base + val), bottom = y(base);
          root.appendChild(svg('rect', { x: L + k * plotW / n, y: top, width: barW, height: Math.max(bottom - top, 1), class: 'bar ' + opts.series[q].cls }));
          base += val;
        }
      }
    } else {
      opts.series.forEach(function (ser) {
        var d = '', prev = false;
        for (var k = 0; k < n; k++) {
          var v = ser.values[k];
          if (v === null || v === undefined) { prev = false; continue; }
          var next = ser.values[k + 1];
          var isolated = !prev && (next === null || next === undefined);
          if (isolated) root.appendChild(svg('circle', { cx: x(k), cy: y(v), r: 1.8, class: 'dot ' + ser.cls }));
          d += (prev ? 'L' : 'M') + x(k).toFixed(1) + ' ' + y(v).toFixed(1);
          prev = true;
        }
        if (d) root.appendChild(svg('path', { d: d, class: 'line ' + ser.cls }));
      });
    }
    var legend = el('div', 'legend', opts.series.map(function (ser) { return el('span', 'key ' + ser.cls, ser.name); }));
    return el('figure', 'chart-box', [el('figcaption', null, opts.title), root, legend]);
  }

  // ---- routes ----

  function kpi(name, value, sub) {
    var box = el('div', 'kpi', [el('div', 'kpi-name', name), el('div', 'kpi-value', value)]);
    box.setAttribute('data-kpi', name);
    if (sub) box.appendChild(el('div', 'kpi-sub', sub));
    return box;
  }

  function routeCard(r, breakersByName) {
    var t = r.totals;
    var card = el('article', 'route');
    card.setAttribute('data-route', r.name);
    var head = el('header', null, el('h3', null, r.name));
    var breakerName = r.policy && r.policy.circuitBreaker;
    if (breakerName) {
      var b = breakersByName[breakerName];
      var st = b ? b.state : 'closed';
      var badge = el('span', 'badge ' + stateClass(st), 'breaker ' + st);
      badge.setAttribute('data-breaker-state', st);
      head.appendChild(badge);
    } else {
      head.appendChild(el('span', 'badge state-none', 'no breaker'));
    }
    card.appendChild(head);
    var budget = r.policy ? 'budget ' + fmtPct(r.policy.retryBudget.ratio) + ' + ' + r.policy.retryBudget.minPerSecond + '/s' : null;
    card.appendChild(el('div', 'kpis', [
      kpi('requests', fmtCount(t.requests), fmtRate(t.ratePerSecond) + ' now'),
      kpi('errors', fmtPct(t.errorRatio), t.errors + ' 5xx'),
      kpi('p50', fmtMs(t.p50Ms)),
      kpi('p99', fmtMs(t.p99Ms), 'max ' + fmtMs(t.maxMs)),
      kpi('retries', String(t.retries), t.retryRatio === null ? budget : fmtPct(t.retryRatio) + ' of requests' + (budget ? ', ' + budget : '')),
      kpi('budget denied', String(t.retryBudgetDenied)),
      kpi('rejected', String(t.rejected), 'circuit open or overloaded'),
    ]));
    var s = r.series;
    card.appendChild(el('div', 'charts', [
      chart({ id: 'requests', title: 'Requests per second', kind: 'stack', format: function (v) { return String(Math.round(v * 10) / 10); },
        series: [{ name: 'ok', cls: 's-ok', values: s.requests.map(function (q, i) { return q - s.errors[i]; }) }, { name: '5xx', cls: 's-err', values: s.errors }] }),
      chart({ id: 'error-ratio', title: 'Error ratio (5xx)', kind: 'line', max: 1, format: function (v) { return Math.round(v * 100) + '%'; },
        series: [{ name: 'errors / requests', cls: 's-err', values: s.errorRatio }] }),
      chart({ id: 'latency', title: 'Latency', kind: 'line', format: function (v) { return v === 0 ? '0' : fmtMs(v).replace(' ', ''); },
        series: [{ name: 'p50', cls: 's-p50', values: s.p50Ms }, { name: 'p99', cls: 's-p99', values: s.p99Ms }] }),
    ]));
    return card;
  }

  // ---- breakers and health ----

  function breakersTable(breakers) {
    if (breakers.length === 0) return el('p', 'empty', 'No route has a circuit breaker.');
    var rows = breakers.map(function (b) {
      var transitions = b.transitions.length === 0 ? el('span', 'muted', 'none yet') : el('ul', 'transitions', b.transitions.map(function (tr) {
        return el('li', null, [el('time', null, fmtTime(tr.at)), ' ', tr.from, ' → ', el('span', stateClass(tr.to), tr.to), tr.worker !== undefined ? el('span', 'muted', ' (worker ' + tr.worker + ')') : null]);
      }));
      var badge = el('span', 'badge ' + stateClass(b.state), b.state);
      badge.setAttribute('data-breaker-state', b.state);
      var row = el('tr', null, [
        el('td', null, el('strong', null, b.name)),
        el('td', null, b.routes.join(', ')),
        el('td', null, [badge, b.workers ? el('div', 'muted', b.workers.map(function (w) { return 'worker ' + w.worker + ': ' + w.state; }).join(', ')) : null]),
        el('td', null, b.since ? [fmtTime(b.since), el('div', 'muted', fmtAgo(b.since))] : el('span', 'muted', 'never moved')),
        el('td', null, transitions),
      ]);
      row.setAttribute('data-breaker', b.name);
      return row;
    });
    return el('table', 'table', [el('thead', null, el('tr', null, ['Breaker', 'Routes', 'State', 'Since', 'Recent transitions'].map(function (h) { return el('th', null, h); }))), el('tbody', null, rows)]);
  }

  function healthBox(u) {
    if (!u) return el('p', 'empty', 'Not known.');
    var badge = el('span', 'badge ' + (u.healthy ? 'state-closed' : 'state-open'), u.healthy ? 'healthy' : 'unhealthy');
    return el('div', 'health', [
      el('p', null, [badge, ' ', el('code', null, u.origin)]),
      el('p', 'muted', [u.detail, u.since ? ' · since ' + fmtTime(u.since) + ' (' + fmtAgo(u.since) + ')' : '']),
      u.changes.length === 0 ? null : el('ul', 'transitions', u.changes.map(function (c) {
        return el('li', null, [el('time', null, fmtTime(c.at)), ' ', el('span', c.healthy ? 'state-closed' : 'state-open', c.healthy ? 'healthy' : 'unhealthy'), ' ', el('span', 'muted', c.detail)]);
      })),
    ]);
  }

  // ---- request lists and trace waterfalls ----

  function attemptLabel(span) {
    var a = span.attributes || {};
    var n = (a['http.request.resend_count'] || 0) + 1;
    var result = a['http.response.status_code'] !== undefined ? a['http.response.status_code'] : (a['error.type'] || '');
    return 'attempt ' + n + (result !== '' ? ' → ' + result : '');
  }

  function waterfall(trace) {
    var spans = trace.spans.slice().sort(function (a, b) { return a.offsetMs - b.offsetMs; });
    var total = trace.durationMs;
    for (var i = 0; i < spans.length; i++) total = Math.max(total, spans[i].offsetMs + spans[i].durationMs);
    if (!(total > 0)) total = 1;
    var WW = 640, LABEL = 190, ROW = 18, width = WW - LABEL - 70;
    var root = svg('svg', { viewBox: '0 0 ' + WW + ' ' + (spans.length * ROW + 4), class: 'waterfall', role: 'img', 'data-trace': trace.traceId });
    root.appendChild(svg('title', {}, 'Trace ' + trace.traceId));
    spans.forEach(function (span, row) {
      var y0 = row * ROW + 2;
      var label = span.kind === 'server' ? span.name : span.kind === 'client' ? attemptLabel(span) : span.kind + ' ' + span.name;
      root.appendChild(svg('text', { x: span.kind === 'server' ? 2 : 14, y: y0 + 12, class: 'span-label' }, label));
      var bx = LABEL + span.offsetMs / total * width;
      var bw = Math.max(span.durationMs / total * width, 1.5);
      var bar = svg('rect', { x: bx, y: y0 + 2, width: bw, height: ROW - 6, rx: 2, class: 'span-bar span-' + (span.kind === 'client' ? 'client' : span.kind === 'server' ? 'server' : 'other') + (span.status === 'error' ? ' span-error' : '') });
      bar.appendChild(svg('title', {}, label + ': ' + fmtMs(span.durationMs) + ' at +' + fmtMs(span.offsetMs)));
      root.appendChild(bar);
      (span.events || []).forEach(function (ev) {
        var ex = LABEL + ev.offsetMs / total * width;
        var mark = svg('line', { x1: ex, x2: ex, y1: y0 + 1, y2: y0 + ROW - 3, class: 'span-event' });
        mark.appendChild(svg('title', {}, ev.name + ' at +' + fmtMs(ev.offsetMs)));
        root.appendChild(mark);
      });
      root.appendChild(svg('text', { x: bx + bw + 4, y: y0 + 12, class: 'span-dur' }, fmtMs(span.durationMs)));
    });
    return el('div', 'trace', [el('div', 'muted', ['trace ', el('code', null, trace.traceId), ' · ' + spans.length + (spans.length === 1 ? ' span, ' : ' spans, ') + fmtMs(total)]), root]);
  }

  function traceCell(sample) {
    if (!sample.traceId) return el('span', 'muted', 'tracing off');
    if (!sample.sampled) return el('span', 'muted', ['not sampled · ', el('code', null, sample.traceId.slice(0, 8))]);
    var trace = state.traces[sample.traceId];
    if (trace) return waterfall(trace);
    return el('span', 'muted', gone(sample.traceId) ? 'trace no longer kept (see tracing.keepTraces)' : 'loading trace…');
  }

  function samplesTable(samples, emptyText, kind) {
    if (samples.length === 0) return el('p', 'empty', emptyText);
    var body = el('tbody');
    samples.forEach(function (s) {
      var row = el('tr', 'sample', [
        el('td', null, el('time', null, fmtTime(s.at))),
        el('td', null, s.route),
        el('td', null, s.method),
        el('td', 'path', s.path),
        el('td', null, el('span', s.status >= 500 ? 'status status-5xx' : s.status >= 400 ? 'status status-4xx' : 'status', String(s.status))),
        el('td', null, s.reason || (s.upstream !== null ? 'app: ' + s.upstream : '')),
        el('td', 'num', String(s.attempts)),
        el('td', 'num', fmtMs(s.durationMs)),
        el('td', null, s.worker !== undefined ? String(s.worker) : ''),
      ]);
      row.setAttribute('data-' + kind, s.traceId || '');
      body.appendChild(row);
      var detail = el('tr', 'trace-row', el('td', null, traceCell(s)));
      detail.firstChild.setAttribute('colspan', '9');
      body.appendChild(detail);
    });
    var heads = ['Time', 'Route', 'Method', 'Path', 'Status', 'Reason / app', 'Attempts', 'Duration', 'Worker'];
    return el('table', 'table samples', [el('thead', null, el('tr', null, heads.map(function (h) { return el('th', null, h); }))), body]);
  }

  // ---- config ----

  // Feature flags as they stand: on for which share, keyed by which header, set by the config or env.
  function flagTable(flags) {
    var rows = flags.map(function (f) {
      var on = f.value === true ? 'on' : f.value === false ? 'off' : String(f.value);
      var row = el('tr', null, [el('td', null, el('code', null, f.name)), el('td', 'flag-value', on), el('td', null, f.key ? el('code', null, f.key) : 'request id'), el('td', null, f.source === 'env' ? ['env ', el('code', null, f.env)] : 'config')]);
      row.setAttribute('data-flag', f.name);
      return row;
    });
    var table = el('table', 'table flags', [el('thead', null, el('tr', null, ['Flag', 'On for', 'Keyed by', 'Set by'].map(function (h) { return el('th', null, h); }))), el('tbody', null, rows)]);
    return table;
  }

  function configBox(c) {
    if (!c) return el('p', 'empty', 'Loading…');
    var parts = [el('p', 'muted', ['From ', el('code', null, c.source.file || 'built-in defaults, environment and flags'), ' · loaded ' + fmtTime(c.source.loadedAt) + ' (' + fmtAgo(c.source.loadedAt) + ') · secrets shown as [redacted]'])];
    if (c.flags && c.flags.length > 0) parts.push(flagTable(c.flags));
    Object.keys(c).forEach(function (key) {
      if (key === 'source') return;
      var pre = el('pre', 'config', JSON.stringify(c[key], null, 2));
      pre.setAttribute('data-config-section', key);
      parts.push(el('details', null, [el('summary', null, key), pre]));
    });
    parts[1] && parts[1].setAttribute('open', '');
    return parts;
  }

  // ---- rendering ----

  function renderConnection() {
    var pill = document.getElementById('connection');
    var banner = document.getElementById('banner');
    if (state.error) {
      pill.className = 'pill pill-down';
      pill.textContent = 'admin port unreachable';
      banner.hidden = false;
      banner.textContent = 'Cannot reach Sightline\'s admin port (' + state.error.message + '). Retrying every ' + POLL_MS / 1000 + ' s' +
        (state.lastOk ? '; the figures below are from ' + new Date(state.lastOk).toLocaleTimeString([], { hour12: false }) + '.' : '.');
      document.body.classList.add('stale');
    } else {
      pill.className = 'pill pill-live';
      pill.textContent = 'live · ' + new Date(state.lastOk).toLocaleTimeString([], { hour12: false });
      banner.hidden = true;
      document.body.classList.remove('stale');
    }
  }

  function render() {
    var st = state.stats;
    var byName = {};
    st.breakers.forEach(function (b) { byName[b.name] = b; });
    var up = document.getElementById('upstream');
    if (st.upstream) {
      up.className = 'pill ' + (st.upstream.healthy ? 'pill-live' : 'pill-down');
      up.textContent = 'app ' + (st.upstream.healthy ? 'healthy' : 'unhealthy');
    }
    var span = st.window.seconds >= 120 ? Math.round(st.window.seconds / 60) + ' min' : st.window.seconds + ' s';
    replace('meta', [st.processes + (st.processes === 1 ? ' process' : ' workers') + ' · last ' + span + ' at 1 s']);
    replace('routes', st.routes.length === 0 ? el('p', 'empty', 'No routes yet.') : st.routes.map(function (r) { return routeCard(r, byName); }));
    replace('breakers', breakersTable(st.breakers));
    replace('health', healthBox(st.upstream));
    replace('slowest', samplesTable(st.slowest, 'No requests in the window.', 'slow'));
    replace('failed', samplesTable(st.failed, 'No failed requests in the window.', 'failed'));
    replace('config', configBox(state.config));
    replace('quantiles', st.latency.method);
    renderConnection();
  }

  // ---- polling ----

  function getJson(path) {
    return fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } }).then(function (res) {
      if (!res.ok) throw new Error(path + ' answered ' + res.status);
      return res.json();
    });
  }

  /** A sampled trace /debug/traces did not have in three looks: evicted, or its worker is gone. */
  function gone(id) { return (state.missing[id] || 0) >= 3; }

  function loadTraces(st) {
    var wanted = {};
    var needed = false;
    st.slowest.concat(st.failed).forEach(function (s) {
      if (!s.sampled || !s.traceId) return;
      wanted[s.traceId] = true;
      if (!state.traces[s.traceId] && !gone(s.traceId)) needed = true;
    });
    Object.keys(state.traces).forEach(function (id) { if (!wanted[id]) delete state.traces[id]; });
    if (!needed) return Promise.resolve();
    return getJson('debug/traces').then(function (body) {
      var found = {};
      body.traces.forEach(function (t) { found[t.traceId] = t; });
      Object.keys(wanted).forEach(function (id) {
        if (found[id]) { state.traces[id] = found[id]; delete state.missing[id]; }
        else if (!state.traces[id]) state.missing[id] = (state.missing[id] || 0) + 1;
      });
    });
  }

  function poll() {
    var now = Date.now();
    var work = getJson('debug/stats?seconds=' + WINDOW).then(function (st) {
      state.stats = st;
      var steps = [loadTraces(st)];
      if (!state.config || now - state.configAt > CONFIG_EVERY_MS) {
        steps.push(getJson('debug/config').then(function (c) { state.config = c; state.configAt = now; }));
      }
      return Promise.all(steps);
    });
    work.then(function () {
      state.error = null;
      state.lastOk = Date.now();
      try {
        render();
      } catch (bug) {
        var banner = document.getElementById('banner');
        banner.hidden = false;
        banner.textContent = 'The dashboard could not draw this answer: ' + (bug && bug.message);
        console.error(bug);
      }
    }, function (err) {
      state.error = err instanceof Error ? err : new Error(String(err));
      if (err && err.name === 'TypeError') state.error = new Error('network error: ' + err.message);
      renderConnection();
    }).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  document.addEventListener('DOMContentLoaded', poll);
})();
`;
