-- wrk: a mix of tile, time-series and S3 requests over the demo cubes (or the synthetic demo cube), every
-- request different enough to miss the tile cache often; counts 5xx answers and prints them when done.
--   wrk -s mixed.lua http://127.0.0.1:PORT -- DATASETS   (DATASETS: comma list of id:variable:timeLabelPrefix)
local threads = {}
local targets = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  fivexx = 0
  other = 0
  counter = math.random(1, 100000)
  for entry in string.gmatch(args[1] or "demo:sst:2024-01-0", "[^,]+") do
    local id, var, time = string.match(entry, "([^:]+):([^:]+):?(.*)")
    table.insert(targets, { id = id, var = var, time = time })
  end
end

function request()
  counter = counter + 1
  local t = targets[(counter % #targets) + 1]
  local kind = counter % 20
  if kind == 0 and t.time ~= "" then
    local lon = (counter * 7) % 360 - 180
    local lat = (counter * 3) % 160 - 80
    local body = string.format('{"type":"Point","coordinates":[%d,%d]}', lon, lat)
    return wrk.format("POST", "/timeseries/" .. t.id .. "/" .. t.var .. "?aggMethods=mean", { ["Content-Type"] = "application/json" }, body)
  elseif kind == 1 then
    return wrk.format("GET", "/s3/datasets/" .. t.id .. ".zarr/.zmetadata")
  end
  local z = counter % 6
  local n = 2 ^ z
  local x = math.floor(counter / 7) % n
  local y = math.floor(counter / 13) % n
  local query = "?vmax=" .. (30 + counter % 50)
  if t.time ~= "" then
    query = query .. "&time=" .. t.time .. (counter % 9 + 1) .. "-15"
  end
  if counter % 5 == 0 then
    query = query .. "&crs=CRS84"
    x = x % (2 * n)
  end
  return wrk.format("GET", "/tiles/" .. t.id .. "/" .. t.var .. "/" .. z .. "/" .. y .. "/" .. x .. query)
end

function response(status, headers, body)
  if status >= 500 then
    fivexx = fivexx + 1
  elseif status >= 400 then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total5, total4 = 0, 0
  for _, thread in ipairs(threads) do
    total5 = total5 + thread:get("fivexx")
    total4 = total4 + thread:get("other")
  end
  io.write(string.format("RESULT requests=%d fivexx=%d fourxx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, total5, total4, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
