package officialaccount

import (
	"context"
	"sync"
)

// Run sends callbacks and works through mass sends until ctx ends; both
// resume what a previous process left unfinished.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.dispatcher.Run(ctx) }()
	go func() { defer wg.Done(); s.runMass(ctx) }()
	wg.Wait()
}
