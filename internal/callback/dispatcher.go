package callback

import (
	"context"
	"time"

	"superapp/internal/store"
)

// Options configure delivery.
type Options struct {
	Timeout      time.Duration // per attempt (WeChat: 5 s)
	Attempts     int           // in total (WeChat: 3)
	AllowPrivate bool          // loopback and private targets allowed
}

// Dispatcher sends the outbox.
type Dispatcher struct {
	db   *store.DB
	sink Sink
	opts Options
	wake chan struct{}
}

// NewDispatcher returns a dispatcher; Run starts it.
func NewDispatcher(db *store.DB, sink Sink, opts Options) *Dispatcher {
	return &Dispatcher{db: db, sink: sink, opts: opts, wake: make(chan struct{}, 1)}
}

// Wake makes the dispatcher look at the outbox now (after a commit that
// enqueued pushes).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers pushes until ctx ends. TODO(callback helper): implement.
func (d *Dispatcher) Run(ctx context.Context) {
	<-ctx.Done()
}
