package client

import "time"

// SetBackoff replaces the retry backoff so retry tests need no real waits.
func SetBackoff(c *Client, f func(n int) time.Duration) { c.backoff = f }

// DecodeError exposes the error decoder to the external tests.
func DecodeError(status int, body []byte) *Error { return decodeError(status, body) }

// PolicyCacheOrganizations counts the organizations p keeps a slot for.
func PolicyCacheOrganizations(p *PolicyCache) int {
	n := 0
	p.orgs.Range(func(any, any) bool { n++; return true })
	return n
}
