package otel

import (
	gootel "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Version is the version of this module, reported as the instrumentation
// scope's version.
const Version = "0.1.0"

// Option configures an [Observer] in [New]. The interface is closed.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.tp == nil {
		c.tp = gootel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = gootel.GetMeterProvider()
	}
	return c
}

// WithTracerProvider sets the provider of the tracer. Default: the global
// one (otel.GetTracerProvider); nil keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider sets the provider of the meter. Default: the global one
// (otel.GetMeterProvider); nil keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}
