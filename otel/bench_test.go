package otel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
	b2botel "github.com/b2bauth/b2bauth/otel"
)

// BenchmarkRequireSessionRepeat is the middleware's
// BenchmarkRequireSession/repeat (the same JWT on every request) without an
// observer and with this module's, recording into a real SDK (a
// ManualReader, a tracer provider without exporter): the difference is the
// cost of the instrumentation on the common request.
func BenchmarkRequireSessionRepeat(b *testing.B) {
	for _, observed := range []bool{false, true} {
		name := "bare"
		if observed {
			name = "otel"
		}
		b.Run(name, func(b *testing.B) {
			var copts []client.Option
			var mopts []middleware.Option
			if observed {
				obs, err := b2botel.New(
					b2botel.WithTracerProvider(sdktrace.NewTracerProvider()),
					b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
				if err != nil {
					b.Fatal(err)
				}
				copts = []client.Option{client.WithObserver(obs)}
				mopts = []middleware.Option{middleware.WithObserver(obs)}
			}
			e := middlewaretest.NewEnvWithClient(b, copts, mopts...)
			h := e.Middleware.RequireSession(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			tok, jwt := e.Login(b, e.MemberID)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: tok})
			r.AddCookie(&http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwt})
			w := middlewaretest.NewDiscard()
			h.ServeHTTP(w, r)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
			if n := e.AuthenticateCalls(); n != 0 {
				b.Fatalf("%d upstream calls", n)
			}
		})
	}
}

// BenchmarkVerifiedCacheHit is the observer's own cost for the common
// request, apart from the middleware: what it adds to the repeat path,
// next to the two clock readings of the hook.
func BenchmarkVerifiedCacheHit(b *testing.B) {
	obs, err := b2botel.New(
		b2botel.WithTracerProvider(sdktrace.NewTracerProvider()),
		b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	v := middleware.Verification{Source: middleware.SourceJWTCache, Session: &middleware.Session{}, Duration: time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		obs.Verified(ctx, v)
	}
}
