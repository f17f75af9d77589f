//go:build !unix

package corpus

import "os"

// openNoBlock opens path for reading; readLimited checks the file's type
// first.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
