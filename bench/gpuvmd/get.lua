-- get.lua - wrk script: GET the path given on the command line with the bearer token GV_TOKEN.
local token = os.getenv("GV_TOKEN")
request = function()
   return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
