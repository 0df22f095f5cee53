package officialaccount

import "context"

// runMass fans out mass sends. TODO(push helper): implement.
func (s *Service) runMass(ctx context.Context) { <-ctx.Done() }
