package officialaccount

import (
	"context"

	"superapp/internal/callback"
	"superapp/internal/store"
)

// Replied puts a developer server's passive reply into the user's
// conversation. TODO(callback helper): implement.
func (s *Service) Replied(ctx context.Context, tx *store.Tx, job callback.Job, reply *callback.Reply) error {
	return nil
}

// Failed tells the user the account cannot serve right now, as WeChat does.
// TODO(callback helper): implement.
func (s *Service) Failed(ctx context.Context, tx *store.Tx, job callback.Job, reason string) error {
	return nil
}

// Settled publishes live events for settled pushes.
func (s *Service) Settled(jobs []callback.Job) {}
