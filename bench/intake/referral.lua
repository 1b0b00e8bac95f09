-- wrk script for bench/intake/wrk.py: every request is a referral of a new child (names, a valid NHS number and a
-- postcode of its own) with a fresh Idempotency-Key. From the environment:
--   BENCH_AUTH      the Authorization header's value ("Bearer …" or "Token …")
--   BENCH_BODY      the JSON body with the placeholders @GIVEN@, @FAMILY@, @NHS@ and @POSTCODE@
--   BENCH_RUN       a small number that differs between runs on one database (keeps NHS numbers and keys unique)
-- done() prints one line: BENCH_JSON {"rps": …, "p50_ms": …, "p90_ms": …, "p99_ms": …, "ok": …, …}

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local auth = os.getenv("BENCH_AUTH")
local template = os.getenv("BENCH_BODY")
local run = tonumber(os.getenv("BENCH_RUN") or "0")
local areas = {"SW", "SE", "NW", "LS", "BS", "CF", "EH", "M", "B", "L", "NE", "OX"}
local inward = "ABDEFGHJLNPQRSTUWXYZ"
local n = 0

function init(args)
   math.randomseed(os.time() + (id or 0) * 7919 + run * 104729)
   ok, non2xx, sent = 0, 0, 0
end

-- The Modulus 11 check digit for nine digits (weights 10 to 2), or nil where none completes them.
function nhs_check(nine)
   local sum = 0
   for i = 1, 9 do
      sum = sum + tonumber(nine:sub(i, i)) * (11 - i)
   end
   local check = (11 - sum % 11) % 11
   if check == 10 then return nil end
   return tostring(check)
end

local function letter(k)
   return inward:sub(k % #inward + 1, k % #inward + 1)
end

function request()
   local nine, check
   repeat
      n = n + 1
      -- 4 + run (2 digits) + thread (1 digit) + counter (5 digits): unique per run, thread and request
      nine = string.format("4%02d%d%05d", run % 100, id % 10, n % 100000)
      check = nhs_check(nine)
   until check
   local tag = string.format("%d-%d-%d", run, id, n)
   local postcode = string.format("%s%d %d%s%s", areas[n % #areas + 1], n % 29 + 1, n % 10, letter(n),
                                  letter(math.floor(n / 20)))
   local body = template:gsub("@GIVEN@", "Child" .. tag):gsub("@FAMILY@", "Family" .. (n % 997))
   body = body:gsub("@NHS@", nine .. check):gsub("@POSTCODE@", postcode)
   sent = sent + 1
   local key = string.format("%08x-%04x-4%03x-8%03x-%012x", run, id, math.random(0, 4095), math.random(0, 4095), n)
   return wrk.format("POST", nil, {
      ["Authorization"] = auth,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = key,
   }, body)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
      if non2xx <= 3 then
         io.stderr:write(string.format("thread %d: status %d %s\n", id, status, body:sub(1, 300)))
      end
   end
end

function done(summary, latency, requests)
   local total_ok, total_non2xx, total_sent = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_non2xx = total_non2xx + thread:get("non2xx")
      total_sent = total_sent + thread:get("sent")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, "p99_ms": %.1f, '
         .. '"max_ms": %.1f, "sent": %d, "ok": %d, "non2xx": %d, "status_errors": %d, "connect_errors": %d, '
         .. '"read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, total_sent, total_ok, total_non2xx, e.status, e.connect, e.read, e.write, e.timeout))
end
