// The dashboard's HTML, served at / on the admin port. The page is a skeleton the script fills in;
// style and script are separate files of the same origin, which a strict Content-Security-Policy allows.
// Relative URLs, so the page also works behind a path prefix (kubectl proxy, an ingress).

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sightline</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard.css">
<script src="dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Sightline</h1>
  <span id="connection" class="pill pill-wait">connecting…</span>
  <span id="upstream" class="pill pill-wait">app …</span>
  <span id="meta" class="meta"></span>
</header>
<div id="banner" class="banner" role="alert" hidden></div>
<noscript><div class="banner">The dashboard needs JavaScript. The same figures are at <a href="debug/stats">/debug/stats</a> and <a href="debug/config">/debug/config</a>.</div></noscript>
<main>
  <section>
    <h2>Routes <small>requests, errors and latency per second over the last minutes</small></h2>
    <div id="routes" class="routes"><p class="empty">Loading…</p></div>
    <p class="note">Quantiles: <span id="quantiles"></span>.</p>
  </section>
  <section class="two">
    <div>
      <h2>Circuit breakers</h2>
      <div id="breakers"></div>
    </div>
    <div>
      <h2>Upstream health</h2>
      <div id="health"></div>
    </div>
  </section>
  <section>
    <h2>Failed requests <small>the latest answered 5xx, with their traces when sampled</small></h2>
    <div id="failed"></div>
  </section>
  <section>
    <h2>Slowest requests <small>of the window</small></h2>
    <div id="slowest"></div>
  </section>
  <section>
    <h2>Effective configuration</h2>
    <div id="config"></div>
  </section>
</main>
<footer>JSON: <a href="debug/stats">/debug/stats</a> · <a href="debug/config">/debug/config</a> · <a href="debug/traces">/debug/traces</a> · <a href="metrics">/metrics</a></footer>
</body>
</html>
`;
