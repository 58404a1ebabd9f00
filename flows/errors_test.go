package flows_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/flows"
)

func TestStytchErrorsAreClassified(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"a transport failure is an outage", fmt.Errorf("post: %w", client.ErrUnavailable), "stytch_unavailable"},
		{"refused project credentials are an outage, not the member's failure",
			&client.Error{StatusCode: http.StatusUnauthorized, ErrorType: "unauthorized_credentials"}, "stytch_unavailable"},
		{"a 4xx without Stytch's error body is an outage",
			&client.Error{StatusCode: http.StatusNotFound}, "stytch_unavailable"},
		{"a wrong code is the member's", &client.Error{StatusCode: http.StatusUnauthorized, ErrorType: "otp_code_not_found"}, "invalid_code"},
		{"an unknown error type ends the sign-in", &client.Error{StatusCode: http.StatusBadRequest, ErrorType: "something_new"}, "login_failed"},
		{"a foreign error ends the sign-in", errors.New("boom"), "login_failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := flows.ClassifyStytchError(tt.err); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
}
