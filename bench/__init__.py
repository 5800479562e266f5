"""``make bench``: how much the console adds to what the gateway costs, on every path users wait on."""
