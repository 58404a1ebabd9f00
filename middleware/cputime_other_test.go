//go:build !unix

package middleware_test

// processCPU is not measured on this platform.
func processCPU() (ns int64, ok bool) { return 0, false }
