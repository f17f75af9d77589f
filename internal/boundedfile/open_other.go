//go:build !unix

package boundedfile

import "os"

// openNonBlocking opens path for reading; systems without FIFOs have
// nothing to block on.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
