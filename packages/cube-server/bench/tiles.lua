-- wrk script of the benchmark: tiles of one variable, cycling through levels zmin..zmax, every tile of a
-- level in turn and the time labels given; prints the request count, non-2xx count and latency percentiles.
--   wrk -s tiles.lua URL -- DATASET VARIABLE ZMIN ZMAX [TIMES] [EXTRA_QUERY]
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  dataset, variable = args[1], args[2]
  zmin, zmax = tonumber(args[3]), tonumber(args[4])
  times = {}
  for t in string.gmatch(args[5] or "", "[^,]+") do
    table.insert(times, t)
  end
  extra = args[6] or ""
  bad = 0
  -- threads start at different places so that they do not ask for the same tiles at the same moment
  counter = id * 7919
end

function request()
  counter = counter + 1
  local levels = zmax - zmin + 1
  local z = zmin + counter % levels
  local n = 2 ^ z
  local k = math.floor(counter / levels)
  local x = k % n
  local y = math.floor(k / n) % n
  local query = "?vmax=" .. (30 + math.floor(k / (n * n)) % 7) .. extra
  if #times > 0 then
    query = query .. "&time=" .. times[(math.floor(k / (n * n)) % #times) + 1]
  end
  return wrk.format("GET", "/tiles/" .. dataset .. "/" .. variable .. "/" .. z .. "/" .. y .. "/" .. x .. query)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("BENCH requests=%d seconds=%.3f bad=%d p50_us=%d p99_us=%d errors=%d\n", summary.requests,
    summary.duration / 1e6, total, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
