package redisstore

import "time"

// SetProbe sets how long the subscription of r waits for a message before
// it pings Redis.
func SetProbe(r *Revocations, d time.Duration) { r.probe = d }
