package otel_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
	b2botel "github.com/b2bauth/b2bauth/otel"
)

// world is an emulator, client and middleware observed by one Observer
// recording into in-memory exporters.
type world struct {
	env    *middlewaretest.Env
	obs    *b2botel.Observer
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
}

func newWorld(t *testing.T, opts ...middleware.Option) *world {
	t.Helper()
	w := &world{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	w.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(w.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(w.reader))
	var err error
	w.obs, err = b2botel.New(b2botel.WithTracerProvider(w.tp), b2botel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	w.env = middlewaretest.NewEnvWithClient(t, []client.Option{client.WithObserver(w.obs)},
		append(opts, middleware.WithObserver(w.obs))...)
	reg, err := w.obs.ObserveCaches(w.env.Middleware)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Unregister() })
	return w
}

// serve sends a request carrying jwt as a bearer token through
// RequireSession, inside a request span, and returns that span's context.
func (w *world) serve(jwt string) trace.SpanContext {
	ctx, span := w.tp.Tracer("test").Start(context.Background(), "GET /")
	defer span.End()
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	r.Header.Set("Authorization", "Bearer "+jwt)
	r.Header.Set("Accept", "application/json")
	w.env.Middleware.RequireSession(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).
		ServeHTTP(httptest.NewRecorder(), r)
	return span.SpanContext()
}

// metrics collects the metrics, by name.
func (w *world) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := w.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != b2botel.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// key renders attributes as "k=v,k=v", sorted, for comparisons.
func key(set attribute.Set) string {
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// counts returns a counter's points by attributes.
func counts(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is a %T, want an int64 sum", m.Name, m.Data)
	}
	out := map[string]int64{}
	for _, p := range sum.DataPoints {
		out[key(p.Attributes)] = p.Value
	}
	return out
}

// histogramCounts returns a histogram's counts by attributes.
func histogramCounts(t *testing.T, m metricdata.Metrics) map[string]uint64 {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is a %T, want a float64 histogram", m.Name, m.Data)
	}
	out := map[string]uint64{}
	for _, p := range h.DataPoints {
		out[key(p.Attributes)] = p.Count
	}
	return out
}

func spansNamed(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value.String()
		}
	}
	return ""
}

func TestVerificationsAreCountedAndTraced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []middleware.Option
		// run makes the requests of the case and returns the context of
		// the request span whose verification made a span.
		run          func(t *testing.T, w *world) trace.SpanContext
		wantCounts   map[string]int64
		wantSource   string
		wantStatus   codes.Code
		wantUpstream string // the name of the upstream span, "" for none
		wantHTTP     map[string]string
	}{
		{
			name: "a JWT verified locally then from the cache is counted twice and traced once",
			run: func(t *testing.T, w *world) trace.SpanContext {
				_, jwt := w.env.Login(t, w.env.MemberID)
				sc := w.serve(jwt)
				w.serve(jwt)
				return sc
			},
			wantCounts: map[string]int64{
				"b2bauth.verification.outcome=ok,b2bauth.verification.source=local":     1,
				"b2bauth.verification.outcome=ok,b2bauth.verification.source=jwt_cache": 1,
			},
			wantSource: "local",
		},
		{
			name: "an expired JWT asks Stytch with an HTTP client span",
			run: func(t *testing.T, w *world) trace.SpanContext {
				_, jwt := w.env.Login(t, w.env.MemberID)
				w.env.Clock.Advance(10 * time.Minute)
				return w.serve(jwt)
			},
			wantCounts:   map[string]int64{"b2bauth.verification.outcome=ok,b2bauth.verification.source=remote": 1},
			wantSource:   "remote",
			wantUpstream: "POST /v1/b2b/sessions/authenticate",
			wantHTTP:     map[string]string{"http.request.method": "POST", "http.response.status_code": "200", "url.template": "/v1/b2b/sessions/authenticate", "server.address": "127.0.0.1"},
		},
		{
			name: "an outage is an error span and an unavailable outcome",
			run: func(t *testing.T, w *world) trace.SpanContext {
				_, jwt := w.env.Login(t, w.env.MemberID)
				w.env.Clock.Advance(10 * time.Minute)
				w.env.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
				return w.serve(jwt)
			},
			wantCounts:   map[string]int64{"b2bauth.verification.outcome=stytch_unavailable,b2bauth.verification.source=outage": 1},
			wantSource:   "outage",
			wantStatus:   codes.Error,
			wantUpstream: "POST /v1/b2b/sessions/authenticate",
			wantHTTP:     map[string]string{"http.response.status_code": "503", "error.type": "503"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tt.opts...)
			parent := tt.run(t, w)
			m := w.metrics(t)
			got := counts(t, m["b2bauth.verifications"])
			for k, v := range tt.wantCounts {
				if got[k] != v {
					t.Errorf("b2bauth.verifications{%s} = %d, want %d (all: %v)", k, got[k], v, got)
				}
			}
			if len(got) != len(tt.wantCounts) {
				t.Errorf("b2bauth.verifications has points %v, want %v", got, tt.wantCounts)
			}
			durations := histogramCounts(t, m["b2bauth.verification.duration"])
			if len(durations) != 1 {
				t.Errorf("verification durations %v, want the one verification not served from the cache", durations)
			}
			if _, ok := durations["b2bauth.verification.outcome=ok,b2bauth.verification.source=jwt_cache"]; ok {
				t.Error("a cache hit's duration was recorded")
			}

			verify := spansNamed(w.spans.Ended(), "b2bauth.verify")
			if len(verify) != 1 {
				t.Fatalf("%d verification spans, want 1", len(verify))
			}
			v := verify[0]
			if v.Parent().SpanID() != parent.SpanID() || v.SpanContext().TraceID() != parent.TraceID() {
				t.Error("the verification span is not a child of the request span")
			}
			if got := attr(v, b2botel.SourceKey); got != tt.wantSource {
				t.Errorf("verification span source %q, want %q", got, tt.wantSource)
			}
			if v.Status().Code != tt.wantStatus || v.SpanKind() != trace.SpanKindInternal || !v.EndTime().After(v.StartTime()) {
				t.Errorf("verification span status %v, kind %v, %v..%v", v.Status(), v.SpanKind(), v.StartTime(), v.EndTime())
			}

			if tt.wantUpstream == "" {
				return
			}
			up := spansNamed(w.spans.Ended(), tt.wantUpstream)
			if len(up) != 1 {
				t.Fatalf("%d spans %q, want 1", len(up), tt.wantUpstream)
			}
			if up[0].SpanKind() != trace.SpanKindClient || up[0].Parent().TraceID() != parent.TraceID() {
				t.Errorf("upstream span kind %v, not in the request's trace", up[0].SpanKind())
			}
			for k, want := range tt.wantHTTP {
				if got := attr(up[0], attribute.Key(k)); got != want {
					t.Errorf("upstream span %s = %q, want %q", k, got, want)
				}
			}
			if n := len(histogramCounts(t, m["http.client.request.duration"])); n == 0 {
				t.Error("no http.client.request.duration recorded")
			}
		})
	}
}

func TestCacheGaugesAndKeySetFetches(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, jwt := w.env.Login(t, w.env.MemberID)
	for range 4 {
		w.serve(jwt)
	}
	m := w.metrics(t)

	t.Run("the hit ratio is the share of cache hits", func(t *testing.T) {
		g, ok := m["b2bauth.jwt_cache.hit_ratio"].Data.(metricdata.Gauge[float64])
		if !ok || len(g.DataPoints) != 1 || g.DataPoints[0].Value != 0.75 {
			t.Errorf("hit ratio = %+v, want 0.75", m["b2bauth.jwt_cache.hit_ratio"].Data)
		}
		if u := m["b2bauth.jwt_cache.hit_ratio"].Unit; u != "1" {
			t.Errorf("unit %q", u)
		}
	})
	t.Run("the cache size is the middleware's", func(t *testing.T) {
		g, ok := m["b2bauth.jwt_cache.size"].Data.(metricdata.Gauge[int64])
		if !ok || len(g.DataPoints) != 1 || g.DataPoints[0].Value != 1 {
			t.Errorf("cache size = %+v, want 1", m["b2bauth.jwt_cache.size"].Data)
		}
	})
	t.Run("the first key set fetch is counted and traced", func(t *testing.T) {
		got := counts(t, m["b2bauth.jwks.refreshes"])
		if got["b2bauth.jwks.outcome=success,b2bauth.jwks.reason=start"] != 1 || len(got) != 1 {
			t.Errorf("b2bauth.jwks.refreshes = %v", got)
		}
		fetches := spansNamed(w.spans.Ended(), "b2bauth.jwks.fetch")
		if len(fetches) != 1 || attr(fetches[0], "http.response.status_code") != "200" ||
			!strings.HasPrefix(attr(fetches[0], "url.template"), "/v1/b2b/sessions/jwks/") {
			t.Errorf("key set fetch spans: %d", len(fetches))
		}
	})
}

func TestFlowStepsAreCounted(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	obs, err := b2botel.New(b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		b2botel.WithTracerProvider(sdktrace.NewTracerProvider()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obs.StepDone(ctx, flows.Step{Route: "POST /login", Duration: time.Millisecond})
	obs.StepDone(ctx, flows.Step{Route: "POST /mfa/sms/verify", Err: flows.ErrInvalidCode, Duration: time.Millisecond})
	obs.StepDone(ctx, flows.Step{Route: "POST /mfa/sms/verify", Err: flows.ErrInvalidCode, Duration: time.Millisecond})
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	var got map[string]int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "b2bauth.flows.steps" {
				got = counts(t, m)
			}
		}
	}
	want := map[string]int64{
		"b2bauth.flows.outcome=ok,b2bauth.flows.route=POST /login":                    1,
		"b2bauth.flows.outcome=invalid_code,b2bauth.flows.route=POST /mfa/sms/verify": 2,
	}
	if len(got) != len(want) {
		t.Fatalf("b2bauth.flows.steps = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("b2bauth.flows.steps{%s} = %d, want %d", k, got[k], v)
		}
	}
}

func TestUpstreamFailuresWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	obs, err := b2botel.New(b2botel.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
		b2botel.WithMeterProvider(sdkmetric.NewMeterProvider()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a timeout is error.type timeout", context.DeadlineExceeded, "timeout"},
		{"a refused connection is error.type unreachable", errors.New("connection refused"), "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs.UpstreamCall(context.Background(), client.UpstreamCall{Method: "POST", Endpoint: "/v1/b2b/sessions/authenticate",
				URL: "https://test.stytch.com", Attempt: 2, Duration: time.Millisecond, Err: tt.err})
			ended := spans.Ended()
			s := ended[len(ended)-1]
			if got := attr(s, "error.type"); got != tt.want || s.Status().Code != codes.Error {
				t.Errorf("error.type %q, status %v; want %q and an error", got, s.Status(), tt.want)
			}
			if attr(s, "server.port") != "443" || attr(s, "http.request.resend_count") != "1" {
				t.Errorf("server.port %q, resend count %q", attr(s, "server.port"), attr(s, "http.request.resend_count"))
			}
		})
	}
}

// cacheStats is a CacheStats holding n verified JWTs.
type cacheStats int

func (n cacheStats) Stats() middleware.Stats { return middleware.Stats{CachedJWTs: int(n)} }

func TestCacheSizeOfSeveralMiddlewares(t *testing.T) {
	t.Parallel()
	size := func(t *testing.T, reader *sdkmetric.ManualReader) []int64 {
		t.Helper()
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "b2bauth.jwt_cache.size" {
					for _, p := range g.DataPoints {
						out = append(out, p.Value)
					}
				}
			}
		}
		return out
	}
	newObserver := func(t *testing.T) (*b2botel.Observer, *sdkmetric.ManualReader) {
		t.Helper()
		reader := sdkmetric.NewManualReader()
		obs, err := b2botel.New(b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
		if err != nil {
			t.Fatal(err)
		}
		return obs, reader
	}
	t.Run("the entries of every middleware given are counted", func(t *testing.T) {
		obs, reader := newObserver(t)
		for _, n := range []cacheStats{1, 2} {
			if _, err := obs.ObserveCaches(n); err != nil {
				t.Fatal(err)
			}
		}
		if got := size(t, reader); len(got) != 1 || got[0] != 3 {
			t.Errorf("b2bauth.jwt_cache.size = %v, want [3]", got)
		}
	})
	t.Run("a middleware unregistered is no longer counted", func(t *testing.T) {
		obs, reader := newObserver(t)
		if _, err := obs.ObserveCaches(cacheStats(1)); err != nil {
			t.Fatal(err)
		}
		reg, err := obs.ObserveCaches(cacheStats(2))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := reg.Unregister(); err != nil {
				t.Fatal(err)
			}
		}
		if got := size(t, reader); len(got) != 1 || got[0] != 1 {
			t.Errorf("b2bauth.jwt_cache.size = %v, want [1]", got)
		}
	})
	t.Run("a nil middleware is refused instead of panicking at collection", func(t *testing.T) {
		obs, reader := newObserver(t)
		var typedNil *middleware.Middleware
		for _, m := range []b2botel.CacheStats{nil, typedNil} {
			if _, err := obs.ObserveCaches(m); err == nil {
				t.Errorf("ObserveCaches(%#v) accepted it", m)
			}
		}
		if got := size(t, reader); len(got) != 0 {
			t.Errorf("b2bauth.jwt_cache.size = %v, want nothing", got)
		}
	})
}

// TestUnknownOutcomesAreFoldedEverywhere: an outcome code this package
// does not know (one of a later version of the middleware, or a code an
// application's own error carries) is "other" in the counter, the duration
// histogram and the span alike, so the three can be joined and none of
// them grows a series per code.
func TestUnknownOutcomesAreFoldedEverywhere(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	obs, err := b2botel.New(b2botel.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
		b2botel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"a_later_code", "yet_another_code"} {
		obs.Verified(context.Background(), middleware.Verification{Source: middleware.SourceLocal,
			Err: &middleware.Error{Code: code, Status: http.StatusUnauthorized}, Duration: time.Millisecond})
	}
	w := &world{reader: reader}
	m := w.metrics(t)
	const want = "b2bauth.verification.outcome=other,b2bauth.verification.source=local"
	if got := counts(t, m["b2bauth.verifications"]); got[want] != 2 {
		t.Errorf("b2bauth.verifications = %v, want 2 at {%s}", got, want)
	}
	if got := histogramCounts(t, m["b2bauth.verification.duration"]); len(got) != 1 || got[want] != 2 {
		t.Errorf("b2bauth.verification.duration counts = %v, want 2 at {%s} only", got, want)
	}
	for _, s := range spansNamed(spans.Ended(), "b2bauth.verify") {
		if got := attr(s, b2botel.OutcomeKey); got != "other" {
			t.Errorf("verification span outcome %q, want other", got)
		}
	}
	if n := len(spansNamed(spans.Ended(), "b2bauth.verify")); n != 2 {
		t.Errorf("%d verification spans, want 2", n)
	}
}
