package client

import (
	"context"
	"errors"
	"fmt"
)

// ErrCredentialsRefused matches the error of [Client.CheckCredentials] when
// Stytch refused the project ID and secret (401 unauthorized_credentials):
// a configuration error, which no retry mends.
var ErrCredentialsRefused = errors.New("b2bauth: stytch refused the project credentials; check the project id and secret")

// CheckCredentials asks Stytch whether it accepts the client's project ID
// and secret, with one authenticated read that changes nothing (the
// project's RBAC policy, GET /v1/b2b/rbac/policy). Call it at start-up to
// learn of a wrong secret at once, rather than from the outages it causes
// later (the middleware answers 503 while Stytch refuses the credentials).
//
// It returns nil when Stytch accepted them; an error matching
// [ErrCredentialsRefused] (and wrapping Stytch's *[Error]) when Stytch
// refused them; and otherwise the call's error, such as one matching
// [ErrUnavailable] when Stytch could not be asked, which says nothing of the
// credentials.
func (c *Client) CheckCredentials(ctx context.Context) error {
	_, err := c.RBAC.Policy(ctx, nil)
	if IsCredentialsRefused(err) {
		return fmt.Errorf("%w: %w", ErrCredentialsRefused, err)
	}
	return err
}

// IsCredentialsRefused reports whether err is Stytch's refusal of the
// project credentials: an *[Error] of type unauthorized_credentials, or an
// error matching [ErrCredentialsRefused].
func IsCredentialsRefused(err error) bool {
	if errors.Is(err, ErrCredentialsRefused) {
		return true
	}
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.ErrorType == "unauthorized_credentials"
}
