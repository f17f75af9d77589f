//go:build !unix

package index

import (
	"errors"
	"os"
)

// mapFile does not map files on this system: texts are read with ReadAt.
func mapFile(*os.File, int64) ([]byte, error) { return nil, errors.New("files are not mapped here") }

func unmapFile([]byte) error { return nil }
