package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// A segment's order file (orderFile, beside its manifest) records, for each
// internal document number of its bleve index, the position of the passage
// in the segment's documents (manifest order), -1 for none. Opening a
// segment needs that map; deriving it asks bleve the external ID of every
// document, which was the largest part of opening an index whose corpus is
// unchanged, and grew with the corpus. The numbers never change once the
// build is written: its index is only ever opened read-only, so no merge
// renumbers it.
//
// The build writes the file once it has opened itself to verify the build
// (see writeBuild); a build without one (of an older briefbot) opens the
// long way. Opening checks the file against bleve at a few numbers spread
// over the index, and goes the long way when they disagree.
//
// Layout: orderMagic, the count as a uvarint, then each position plus one
// as a uvarint (0 for none), and the CRC-32C of everything before it, 4
// bytes little-endian.
const (
	orderFile  = "order.bin"
	orderMagic = "briefbot order\x00"
	// orderChecks is how many of a segment's documents opening checks
	// against bleve.
	orderChecks = 16
)

func encodeOrder(local []int32) []byte {
	b := make([]byte, 0, len(orderMagic)+binary.MaxVarintLen64+3*len(local)+4)
	b = append(b, orderMagic...)
	b = binary.AppendUvarint(b, uint64(len(local)))
	for _, p := range local {
		b = binary.AppendUvarint(b, uint64(int64(p)+1))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// decodeOrder decodes what encodeOrder encoded, positions below limit.
func decodeOrder(b []byte, limit int) ([]int32, error) {
	if len(b) < len(orderMagic)+4 || string(b[:len(orderMagic)]) != orderMagic {
		return nil, errors.New("not a briefbot order file")
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(sum) {
		return nil, errors.New("checksum mismatch (damaged)")
	}
	d := body[len(orderMagic):]
	n, k := binary.Uvarint(d)
	if k <= 0 || n > uint64(len(d)-k) {
		return nil, errors.New("bad count")
	}
	d = d[k:]
	local := make([]int32, n)
	for i := range local {
		v, k := binary.Uvarint(d)
		if k <= 0 || v > uint64(limit) {
			return nil, fmt.Errorf("bad position at %d", i)
		}
		local[i] = int32(int64(v) - 1)
		d = d[k:]
	}
	if len(d) != 0 {
		return nil, fmt.Errorf("%d bytes after the end", len(d))
	}
	return local, nil
}

// readOrder reads the order file of the segment in dir; nil, nil when there
// is none.
func readOrder(dir string, limit int) ([]int32, error) {
	raw, err := os.ReadFile(filepath.Join(dir, orderFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", orderFile, err)
	}
	local, err := decodeOrder(raw, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", orderFile, err)
	}
	return local, nil
}
