package officialaccount

import "time"

// SetClock replaces the service's clock (tests of calendar-month limits).
func SetClock(s *Service, now func() time.Time) { s.now = now }
