package boundedfile

import (
	"bufio"
	"bytes"
	"io"
)

// ReadLines calls line with each line of r, without its line ending, and
// tooLong for each line over max bytes, which is skipped to its end: one
// runaway line costs neither memory nor the lines after it (bufio.Scanner
// would stop at it). An error from line stops the reading and is returned.
func ReadLines(r io.Reader, max int, line func([]byte) error, tooLong func()) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	skipping, started := false, false
	for {
		chunk, err := br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return err
		}
		n := len(chunk)
		if err == nil {
			n-- // the newline
		}
		if n > 0 || err == nil {
			started = true
		}
		if !skipping {
			if len(buf)+n > max {
				skipping, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk[:n]...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if started {
			if skipping {
				tooLong()
			} else {
				if err := line(bytes.TrimSuffix(buf, []byte("\r"))); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		buf, skipping, started = buf[:0], false, false
	}
}
