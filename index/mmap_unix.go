//go:build unix

package index

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f into memory, read only.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("cannot map %d bytes", size)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return data, nil
}

func unmapFile(data []byte) error { return syscall.Munmap(data) }
