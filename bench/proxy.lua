-- wrk through an HTTP proxy: absolute-URI requests for TARGET; CLOSE=1 adds "Connection: close"
-- so every request opens a new connection (connections per second).
local target = os.getenv("TARGET")
local close = os.getenv("CLOSE") == "1"
request = function()
  local headers = {}
  if close then headers["Connection"] = "close" end
  return wrk.format("GET", target, headers)
end
