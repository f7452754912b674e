-- wrk script for the upload workload: every request is a POST carrying BENCH_BODY_BYTES bytes.
-- The body is built once per thread at load time, so wrk sends it without per-request Lua work.
local size = tonumber(os.getenv("BENCH_BODY_BYTES") or "1048576")
wrk.method = "POST"
wrk.body = string.rep("a", size)
wrk.headers["Content-Type"] = "application/octet-stream"
