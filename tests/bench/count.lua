-- wrk script for scripts/bench: stop each thread after BENCH_STOP_AFTER responses
-- (a request count rather than a duration) and count answers that are not 200.
-- wrk's own "Non-2xx or 3xx" counter lets 3xx through; this one does not.
-- Defining response() makes wrk hand every answer to Lua, which costs client
-- time: use this script for counted runs, not for the throughput comparison.
-- wrk's main thread sleeps for the whole -d duration even when every thread
-- has stopped, so each thread appends a line to BENCH_DONE_FILE when it stops
-- and bench.py then ends wrk with SIGINT (which makes it print its summary).
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "100000")
local done_file = os.getenv("BENCH_DONE_FILE")
local seen = 0
not200 = 0

function response(status, headers, body)
   seen = seen + 1
   if status ~= 200 then
      not200 = not200 + 1
   end
   if seen == stop_after then
      if done_file then
         local f = io.open(done_file, "a")
         f:write("stopped\n")
         f:close()
      end
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("not200") or 0)
   end
   io.write(string.format("bench-not200: %d\n", bad))
end
