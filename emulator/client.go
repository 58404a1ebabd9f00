package emulator

import "github.com/b2bauth/b2bauth/client"

// Client returns a client of the emulated project, pointed at the server
// with its project ID and secret; opts are applied after those, so they can
// add a logger, a timeout or an HTTP client. It fails only for an invalid
// option.
func (s *Server) Client(opts ...client.Option) (*client.Client, error) {
	return client.New(s.ProjectID(), s.Secret(), append([]client.Option{client.WithBaseURL(s.URL())}, opts...)...)
}
