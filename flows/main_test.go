package flows_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the tests and examples close what they start: a
// middleware left open keeps its key set refresh running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
