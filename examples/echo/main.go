// Command echo is the b2bauth demo app on echo; the wiring is in package
// routes.
//
//	go run ./examples/echo
//
// Without STYTCH_PROJECT_ID and STYTCH_SECRET it runs against an embedded
// Stytch emulator; see package demo for the other settings.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/b2bauth/b2bauth/examples/echo/routes"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/internal/interrupt"
)

func main() {
	ctx, stop := interrupt.Context(context.Background())
	err := demo.Run(ctx, os.Getenv, routes.New)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "b2bauth demo:", err)
		os.Exit(1)
	}
}
