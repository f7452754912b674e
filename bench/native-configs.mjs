// Config files for the two native proxies, tuned the way a careful operator would run them as a
// sidecar: one worker/thread (Node proxies use one core too), keep-alive to the app, no access log,
// and streaming without disk buffering (Sightline streams too; a temp file would measure the disk).

/** nginx in one process (no master: its CPU is the worker's), everything under `dir`. */
export function nginxConfig({ dir, port, upstreamPort }) {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # Stream uploads to the app instead of spooling them first.
      proxy_request_buffering off;
      # Buffer responses in memory only (never a temp file), with room for a 64 KiB body at once.
      proxy_buffering on;
      proxy_buffers 16 16k;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
}

/** haproxy with one thread, HTTP mode, connections to the app always reused, no logs. */
export function haproxyConfig({ port, upstreamPort }) {
  return `global
  nbthread 1
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 65s
  timeout server 60s
  timeout http-keep-alive 65s

frontend bench
  bind 127.0.0.1:${port}
  default_backend app

backend app
  http-reuse always
  server app 127.0.0.1:${upstreamPort}
`;
}
