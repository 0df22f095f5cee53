//go:build !unix

package callback

import "net"

// socketQuiet cannot peek here; a connection closed while idle is still
// caught when the request is written (and sent again on a new one).
func socketQuiet(net.Conn) bool { return true }
