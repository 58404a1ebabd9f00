// Package interrupt gives the commands and demo apps of this repository a
// context that ends on the first interrupt (Ctrl-C) or SIGTERM, after which a
// second one ends the process at once: a graceful shutdown stuck on a
// request that never finishes can still be cut short from the terminal.
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Context returns a copy of parent that is done once the process receives
// os.Interrupt or SIGTERM. By the time it is done, the signals are no longer
// caught: another one has its default effect and ends the process. stop
// releases the context and stops catching the signals; call it when the
// program no longer needs them.
func Context(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	caught, release := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-caught.Done()
		release() // before ctx is done, so that the next signal is not caught
		cancel()
	}()
	return ctx, func() {
		release()
		cancel()
	}
}
