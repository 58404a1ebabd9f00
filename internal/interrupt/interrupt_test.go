package interrupt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// childEnv marks the copy of the test binary that plays a program whose
// shutdown never ends.
const childEnv = "B2BAUTH_INTERRUPT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		stuckShutdown()
		return
	}
	os.Exit(m.Run())
}

// stuckShutdown waits for the first signal and then for ever, as a
// graceful shutdown waiting on a request that never ends does.
func stuckShutdown() {
	ctx, stop := Context(context.Background())
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("shutting down")
	select {}
}

func TestASecondSignalEndsAStuckShutdown(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals are sent differently on Windows")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String()+" twice ends the process", func(t *testing.T) {
			// The deadline only ends a child the test already failed on.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			expect := func(want string) {
				t.Helper()
				if !lines.Scan() || lines.Text() != want {
					t.Fatalf("child printed %q (%v), want %q", lines.Text(), lines.Err(), want)
				}
			}
			expect("ready")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			expect("shutting down")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if ctx.Err() != nil {
				t.Fatal("the second signal was caught: the child was still running a minute later")
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("child ended with %v, want the signal's default effect", err)
			}
			ws, ok := exit.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("child ended with %v, want killed by %v", err, sig)
			}
		})
	}
}

func TestStopReleasesTheContext(t *testing.T) {
	ctx, stop := Context(context.Background())
	if ctx.Err() != nil {
		t.Fatal("done before any signal")
	}
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after stop, ctx.Err() = %v, want context.Canceled", ctx.Err())
	}
}
