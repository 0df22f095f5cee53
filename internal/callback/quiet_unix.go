//go:build unix

package callback

import (
	"net"
	"syscall"
)

// socketQuiet peeks at c's socket without blocking (one system call): true
// when nothing is waiting and it is still open. A read through the net
// package cannot tell — with a deadline already past it returns before
// looking.
func socketQuiet(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true // not a socket (tests' scripted connections)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	quiet := false
	err = raw.Control(func(fd uintptr) {
		var b [1]byte
		// Nothing waiting is EAGAIN; 0 bytes without error is a close.
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		quiet = rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK
	})
	return err == nil && quiet
}
