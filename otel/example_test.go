package otel_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	b2botel "github.com/b2bauth/b2bauth/otel"
)

// ExampleNew observes a client and a middleware with in-memory providers:
// the key set fetch and the first verification of a JWT make spans, the
// second verification is a cache hit, counted but without a span.
func ExampleNew() {
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	obs, err := b2botel.New( // without options: the global providers
		b2botel.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
		b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		log.Fatal(err)
	}

	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()), client.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, middleware.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	reg, err := obs.ObserveCaches(m)
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Unregister()

	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	h := m.RequireSession(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 2 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+jwt)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}

	var names []string
	for _, s := range spans.Ended() {
		names = append(names, s.Name())
	}
	slices.Sort(names)
	fmt.Println("spans:", names)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if sum, ok := mt.Data.(metricdata.Sum[int64]); ok && mt.Name == "b2bauth.verifications" {
				var lines []string
				for _, dp := range sum.DataPoints {
					src, _ := dp.Attributes.Value(b2botel.SourceKey)
					out, _ := dp.Attributes.Value(b2botel.OutcomeKey)
					lines = append(lines, fmt.Sprintf("%s %s %s: %d", mt.Name, src.AsString(), out.AsString(), dp.Value))
				}
				slices.Sort(lines)
				for _, l := range lines {
					fmt.Println(l)
				}
			}
		}
	}
	// Output:
	// spans: [b2bauth.jwks.fetch b2bauth.verify]
	// b2bauth.verifications jwt_cache ok: 1
	// b2bauth.verifications local ok: 1
}
