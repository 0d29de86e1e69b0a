-- wrk script for bench/run.py (one script for every workload; settings from the environment).
--   BENCH_PATH   request path; "{id}" in it becomes an id in 1..BENCH_ID_MAX, a different one
--                per request (deterministic stride, so every run asks for the same ids)
--   BENCH_BODY   "review": POST a new review per request (book_id in 1..BENCH_ID_MAX), as the
--                PostgREST-comparison kit's post.lua; empty: GET
-- done() prints one machine-readable line (latencies in microseconds) for run.py to parse.
local template = os.getenv("BENCH_PATH") or "/"
local body_kind = os.getenv("BENCH_BODY") or ""
local id_max = tonumber(os.getenv("BENCH_ID_MAX") or "100000")
local counter = 0

wrk.headers["Accept"] = "application/json"
if body_kind == "review" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.method = "GET"
end

request = function()
  counter = counter + 1
  local id = (counter * 7919) % id_max + 1
  local path = string.gsub(template, "{id}", tostring(id))
  local body = nil
  if body_kind == "review" then
    body = string.format('{"book_id":%d,"stars":%d,"body":"bench insert %d"}',
                         id, counter % 5 + 1, counter)
  end
  return wrk.format(nil, path, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d sockerr=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
