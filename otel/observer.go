package otel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/b2bauth/b2bauth/otel"

// Attribute keys of b2bauth's own.
const (
	// SourceKey is what decided a verification (middleware.Source), e.g.
	// "jwt_cache" or "remote".
	SourceKey = attribute.Key("b2bauth.verification.source")
	// OutcomeKey is "ok" or the error code of a verification, e.g.
	// "session_invalid"; codes this package does not know (of later
	// versions, or of an application's own errors) are "other" in the
	// metrics and the spans alike.
	OutcomeKey = attribute.Key("b2bauth.verification.outcome")
	// JWKSReasonKey is why the key set was fetched: "start", "interval" or
	// "unknown_kid".
	JWKSReasonKey = attribute.Key("b2bauth.jwks.reason")
	// JWKSOutcomeKey is "success" or "failure".
	JWKSOutcomeKey = attribute.Key("b2bauth.jwks.outcome")
	// FlowRouteKey is the route of a login step, e.g. "POST /login".
	FlowRouteKey = attribute.Key("b2bauth.flows.route")
	// FlowOutcomeKey is "ok" or the error code of a login step.
	FlowOutcomeKey = attribute.Key("b2bauth.flows.outcome")
)

// Observer reports to OpenTelemetry what b2bauth tells it: it is a
// client.Observer, a middleware.Observer and a flows.Observer. Create it with
// [New]; it is safe for concurrent use.
type Observer struct {
	tracer trace.Tracer
	meter  metric.Meter

	verifyDuration metric.Float64Histogram
	httpDuration   metric.Float64Histogram
	jwksRefreshes  metric.Int64Counter
	flowSteps      metric.Int64Counter

	// counts are the verifications by source and outcome, reported by the
	// observable counter b2bauth.verifications: the common request costs
	// one atomic addition.
	counts    [numSources][numOutcomes]atomic.Int64
	countSets [numSources][numOutcomes]metric.ObserveOption
	// okSet and okRecord hold, per source, the attributes of a successful
	// verification, built once.
	okSet    [numSources]attribute.Set
	okRecord [numSources][]metric.RecordOption

	// caches are the verified-JWT caches of ObserveCaches.
	cachesMu sync.Mutex
	caches   map[*cacheEntry]bool
}

// The outcomes counted apart; any other code of a later version is
// counted as "other".
var outcomes = [...]string{"ok", "session_missing", "token_invalid", "session_invalid", "stytch_unavailable", "access_token_missing", "access_token_invalid", "other"}

const numOutcomes = len(outcomes)

func outcomeIndex(outcome string) int {
	for i, o := range outcomes[:numOutcomes-1] {
		if o == outcome {
			return i
		}
	}
	return numOutcomes - 1
}

var (
	_ client.Observer     = (*Observer)(nil)
	_ middleware.Observer = (*Observer)(nil)
	_ flows.Observer      = (*Observer)(nil)
)

// numSources bounds the sources counted; a source of a later version past
// it is counted as the last.
const numSources = 16

// New returns an Observer recording with the providers of its options: the
// global ones (otel.GetTracerProvider, otel.GetMeterProvider) by default.
func New(opts ...Option) (*Observer, error) {
	cfg := newConfig(opts)
	o := &Observer{
		tracer: cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version), trace.WithSchemaURL(semconv.SchemaURL)),
		meter:  cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version), metric.WithSchemaURL(semconv.SchemaURL)),
		caches: map[*cacheEntry]bool{},
	}
	var err error
	verifications, err := o.meter.Int64ObservableCounter("b2bauth.verifications",
		metric.WithUnit("{verification}"),
		metric.WithDescription("Session verifications, by the source that decided and the outcome."))
	if err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	if o.verifyDuration, err = o.meter.Float64Histogram("b2bauth.verification.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of the verifications not served from the verified-JWT cache."),
		metric.WithExplicitBucketBoundaries(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)); err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	if o.httpDuration, err = o.meter.Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)); err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	if o.jwksRefreshes, err = o.meter.Int64Counter("b2bauth.jwks.refreshes",
		metric.WithUnit("{fetch}"),
		metric.WithDescription("Fetches of the key set, by reason and outcome.")); err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	if o.flowSteps, err = o.meter.Int64Counter("b2bauth.flows.steps",
		metric.WithUnit("{step}"),
		metric.WithDescription("Login flow steps, by route and outcome.")); err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	ratio, err := o.meter.Float64ObservableGauge("b2bauth.jwt_cache.hit_ratio",
		metric.WithUnit("1"),
		metric.WithDescription("Share of the verifications served from the verified-JWT cache since start."))
	if err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	for s := range o.counts {
		for i, outcome := range outcomes {
			o.countSets[s][i] = metric.WithAttributeSet(attribute.NewSet(
				SourceKey.String(middleware.Source(s).String()), OutcomeKey.String(outcome)))
		}
		o.okSet[s] = attribute.NewSet(SourceKey.String(middleware.Source(s).String()), OutcomeKey.String("ok"))
		o.okRecord[s] = []metric.RecordOption{metric.WithAttributeSet(o.okSet[s])}
	}
	if _, err := o.meter.RegisterCallback(o.observeVerifications(verifications, ratio), verifications, ratio); err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	return o, nil
}

// observeVerifications reports the verification counts and the hit ratio.
func (o *Observer) observeVerifications(verifications metric.Int64ObservableCounter, ratio metric.Float64ObservableGauge) metric.Callback {
	return func(_ context.Context, ob metric.Observer) error {
		var total, hits int64
		for s := range o.counts {
			for i := range o.counts[s] {
				n := o.counts[s][i].Load()
				if n == 0 {
					continue
				}
				ob.ObserveInt64(verifications, n, o.countSets[s][i])
				total += n
				if middleware.Source(s) == middleware.SourceJWTCache {
					hits += n
				}
			}
		}
		if total > 0 {
			ob.ObserveFloat64(ratio, float64(hits)/float64(total))
		}
		return nil
	}
}

// CacheStats is what [Observer.ObserveCaches] reads: a *middleware.Middleware.
type CacheStats interface {
	Stats() middleware.Stats
}

// ObserveCaches reports the size of m's verified-JWT cache as the gauge
// b2bauth.jwt_cache.size, read when the metrics are collected; with several
// middlewares given, the gauge is the sum of their caches (give each
// Middleware made by middleware.New once: one made by its With method
// shares its cache). Unregister the returned registration when m is closed.
// A nil m is refused.
func (o *Observer) ObserveCaches(m CacheStats) (metric.Registration, error) {
	if m == nil {
		return nil, errors.New("b2bauth: otel: nil cache stats")
	}
	if mw, ok := m.(*middleware.Middleware); ok && mw == nil {
		return nil, errors.New("b2bauth: otel: nil middleware")
	}
	size, err := o.meter.Int64ObservableGauge("b2bauth.jwt_cache.size",
		metric.WithUnit("{entry}"),
		metric.WithDescription("Entries of the verified-JWT cache."))
	if err != nil {
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	e := &cacheEntry{stats: m}
	o.cachesMu.Lock()
	o.caches[e] = true
	o.cachesMu.Unlock()
	// Every callback observes the sum, since a gauge keeps one value per
	// attribute set: the last one observed.
	reg, err := o.meter.RegisterCallback(func(_ context.Context, ob metric.Observer) error {
		o.cachesMu.Lock()
		var n int64
		for e := range o.caches {
			n += int64(e.stats.Stats().CachedJWTs)
		}
		o.cachesMu.Unlock()
		ob.ObserveInt64(size, n)
		return nil
	}, size)
	if err != nil {
		o.forget(e)
		return nil, fmt.Errorf("b2bauth: otel: %w", err)
	}
	return cacheRegistration{Registration: reg, o: o, e: e}, nil
}

// cacheEntry is one CacheStats given to ObserveCaches.
type cacheEntry struct{ stats CacheStats }

// forget stops counting the cache of e.
func (o *Observer) forget(e *cacheEntry) {
	o.cachesMu.Lock()
	delete(o.caches, e)
	o.cachesMu.Unlock()
}

// cacheRegistration is the registration of ObserveCaches: unregistering it
// also takes its cache out of the sum.
type cacheRegistration struct {
	metric.Registration
	o *Observer
	e *cacheEntry
}

// Unregister implements metric.Registration.
func (r cacheRegistration) Unregister() error {
	r.o.forget(r.e)
	return r.Registration.Unregister()
}

// Verified implements middleware.Observer: it counts the verification and,
// unless it came from the verified-JWT cache, records its duration and a
// span.
func (o *Observer) Verified(ctx context.Context, v middleware.Verification) {
	src := min(int(v.Source), numSources-1)
	outcome := "ok"
	if v.Err == nil {
		o.counts[src][0].Add(1)
	} else {
		i := outcomeIndex(v.Outcome())
		outcome = outcomes[i]
		o.counts[src][i].Add(1)
	}
	if v.Source == middleware.SourceJWTCache {
		return
	}
	var set attribute.Set
	if v.Err == nil {
		set = o.okSet[src]
		o.verifyDuration.Record(ctx, v.Duration.Seconds(), o.okRecord[src]...)
	} else {
		set = attribute.NewSet(SourceKey.String(v.Source.String()), OutcomeKey.String(outcome))
		o.verifyDuration.Record(ctx, v.Duration.Seconds(), metric.WithAttributeSet(set))
	}

	end := time.Now()
	_, span := o.tracer.Start(ctx, "b2bauth.verify",
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(end.Add(-v.Duration)),
		trace.WithAttributes(set.ToSlice()...))
	if errors.Is(v.Err, middleware.ErrUnavailable) {
		// A refused credential is the verification working; an outage is
		// the error a trace should show.
		span.SetStatus(codes.Error, outcome)
	}
	span.End(trace.WithTimestamp(end))
}

// UpstreamCall implements client.Observer: an HTTP client span and the
// http.client.request.duration histogram.
func (o *Observer) UpstreamCall(ctx context.Context, c client.UpstreamCall) {
	attrs := httpAttributes(c.Method, c.URL, c.Endpoint, c.Status, c.Err)
	if c.Attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(c.Attempt-1))
	}
	end := time.Now()
	_, span := o.tracer.Start(ctx, c.Method+" "+c.Endpoint,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(end.Add(-c.Duration)),
		trace.WithAttributes(attrs...))
	if c.Status >= 500 || c.Status == 0 {
		// As the conventions say for client spans: 4xx answers are not
		// errors of the call.
		span.SetStatus(codes.Error, errorType(c.Status, c.Err))
	}
	span.End(trace.WithTimestamp(end))
	o.httpDuration.Record(ctx, c.Duration.Seconds(), metric.WithAttributes(attrs...))
}

// KeySetFetch implements client.Observer: the b2bauth.jwks.refreshes
// counter and a client span.
func (o *Observer) KeySetFetch(ctx context.Context, f client.KeySetFetch) {
	outcome := "success"
	if f.Err != nil {
		outcome = "failure"
	}
	counted := []attribute.KeyValue{JWKSReasonKey.String(f.Reason), JWKSOutcomeKey.String(outcome)}
	if f.Err != nil {
		counted = append(counted, semconv.ErrorTypeKey.String(errorType(f.Status, f.Err)))
	}
	o.jwksRefreshes.Add(ctx, 1, metric.WithAttributes(counted...))

	end := time.Now()
	attrs := append(httpAttributes("GET", f.URL, "", f.Status, f.Err), JWKSReasonKey.String(f.Reason))
	_, span := o.tracer.Start(ctx, "b2bauth.jwks.fetch",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(end.Add(-f.Duration)),
		trace.WithAttributes(attrs...))
	if f.Err != nil {
		span.SetStatus(codes.Error, errorType(f.Status, f.Err))
	}
	span.End(trace.WithTimestamp(end))
}

// StepDone implements flows.Observer: the b2bauth.flows.steps counter.
func (o *Observer) StepDone(ctx context.Context, s flows.Step) {
	o.flowSteps.Add(ctx, 1, metric.WithAttributes(FlowRouteKey.String(s.Route), FlowOutcomeKey.String(s.Outcome())))
}

// httpAttributes are the semantic conventions' attributes of an HTTP
// client request to rawURL (a base URL, or the full URL when template is "").
func httpAttributes(method, rawURL, template string, status int, err error) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	if u, perr := url.Parse(rawURL); perr == nil {
		host, port := u.Hostname(), u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		attrs = append(attrs, semconv.ServerAddress(host))
		if p, perr := strconv.Atoi(port); perr == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
		if template == "" {
			template = u.Path
		}
	}
	if template != "" {
		attrs = append(attrs, semconv.URLTemplate(template))
	}
	if status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if err != nil || status >= 400 {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(status, err)))
	}
	return attrs
}

// errorType is the error.type of a failed request: its status code, or the
// kind of failure when no answer came.
func errorType(status int, err error) string {
	var netErr net.Error
	switch {
	case status >= 400:
		return strconv.Itoa(status)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case status == 0:
		return "unreachable"
	}
	return "_OTHER"
}
