-- create.lua - wrk script: POST /v1/vms with a VM name unique per thread and request.
-- GV_TOKEN in the environment is the bearer token.
local token = os.getenv("GV_TOKEN")
local counter = 0
local seq = 0

-- runs in the main Lua state once per thread: give each thread its number (a global of its own
-- state, so names never collide between threads)
function setup(thread)
   seq = seq + 1
   thread:set("tid", seq)
end

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

request = function()
   counter = counter + 1
   local body = string.format(
      '{"name":"b%d-%d-%d","tenant":"bench","vcpus":1,"memory_mib":1024,"cpu_policy":"shared",' ..
      '"numa_policy":"none","gpu":{"mode":"mig","profile":"1g.10gb","count":1}}',
      tid, counter, math.random(1000000000))
   return wrk.format("POST", "/v1/vms",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
