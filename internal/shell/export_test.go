package shell

import "time"

// SetClock makes s's rate limits read the time from now.
func SetClock(s *Shell, now func() time.Time) {
	for _, l := range []*limiter{s.lim.signInIP, s.lim.phoneFails, s.lim.registerIP} {
		l.now = now
	}
}

// HoldHashing takes every password-hashing slot of s and makes requests
// wait at most wait for one; release gives the slots back.
func HoldHashing(s *Shell, wait time.Duration) (release func()) {
	s.lim.hashWait = wait
	for range cap(s.lim.hashing) {
		s.lim.hashing <- struct{}{}
	}
	return func() {
		for range cap(s.lim.hashing) {
			<-s.lim.hashing
		}
	}
}
