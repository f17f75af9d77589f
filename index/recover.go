package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// errManifestFormat marks a manifest written in another format: a build of
// another briefbot version, not a damaged one.
var errManifestFormat = errors.New("manifest format")

// corruptPrefix names the directories under root that SetAside moves
// corrupt builds to, and keepCorrupt bounds how many are kept: enough to
// inspect the last incident or two, never a disk filling up with copies.
const (
	corruptPrefix = "corrupt-"
	keepCorrupt   = 2
)

// SetAside moves a corrupt live build out of the way, so that the next
// EnsureCurrent or Build starts afresh, and returns where it went: a new
// directory root/corrupt-<time> holding the build and the CURRENT that
// named it, for inspection. Only the newest keepCorrupt such directories
// are kept. It returns "" and no error when the live build opens after all
// or there is none (another process rebuilt it meanwhile), and the open
// error when the build is unreadable for a reason other than corruption.
// Builds under root are held off meanwhile by the root lock.
func SetAside(ctx context.Context, root string, opts Options) (string, error) {
	rl, err := lockExclusiveWait(ctx, filepath.Join(root, rootLockFile))
	if err != nil {
		return "", fmt.Errorf("set index aside: %w", err)
	}
	defer rl.unlock()
	// Check again under the lock: only a build that still fails to open,
	// and for corruption, is moved.
	ix, err := Open(root, opts)
	switch {
	case err == nil:
		return "", ix.Close()
	case errors.Is(err, ErrNoIndex):
		return "", nil
	case !errors.Is(err, ErrCorrupt):
		return "", err
	}
	dest, err := corruptDir(root)
	if err != nil {
		return "", fmt.Errorf("set index aside: %w", err)
	}
	if name, err := readCurrent(root); err == nil {
		src := filepath.Join(root, buildsDir, name)
		if err := os.Rename(src, filepath.Join(dest, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("set index aside: %w", err)
		}
	}
	// Moving CURRENT last: a process killed before this point leaves a
	// CURRENT naming a missing build, which reads as corrupt again and is
	// set aside on the next start.
	if err := os.Rename(filepath.Join(root, currentFile), filepath.Join(dest, currentFile)); err != nil {
		return "", fmt.Errorf("set index aside: %w", err)
	}
	syncDir(root)
	pruneCorrupt(root, keepCorrupt)
	return dest, nil
}

// corruptDir creates a new, uniquely named set-aside directory whose name
// sorts by time.
func corruptDir(root string) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405.000Z")
	base := filepath.Join(root, corruptPrefix+strings.ReplaceAll(stamp, ".", ""))
	for i := 0; ; i++ {
		dir := base
		if i > 0 {
			dir += "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return dir, err
		}
	}
}

// pruneCorrupt removes all but the newest keep set-aside directories.
func pruneCorrupt(root string, keep int) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), corruptPrefix) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for len(names) > keep {
		if err := os.RemoveAll(filepath.Join(root, names[0])); err != nil {
			slog.Warn("remove set-aside index", "dir", filepath.Join(root, names[0]), "err", err)
		}
		names = names[1:]
	}
}

// RemoveAbandonedBuilds deletes what builds that never finished left under
// root (a process killed mid-build): build directories that never went
// live and temporary CURRENT files. It returns the build directories
// removed. It does nothing while a build runs, in any process: it takes
// the root lock without waiting. Without it these leftovers would stay
// until the next build, which may be far off when the index is current.
//
// A build that went live is CURRENT or was replaced by a later one, so a
// build whose name (a start time) sorts after CURRENT's never went live;
// builds before CURRENT are left to Build's own cleanup, which keeps the
// one a reader may be opening.
func RemoveAbandonedBuilds(root string) []string {
	builds := filepath.Join(root, buildsDir)
	entries, err := os.ReadDir(builds)
	if err != nil {
		return nil // no builds: nothing abandoned
	}
	rl, err := lockExclusive(filepath.Join(root, rootLockFile))
	if err != nil {
		return nil // a build is running
	}
	defer rl.unlock()
	current, err := readCurrent(root)
	if err != nil && !errors.Is(err, ErrNoIndex) {
		return nil // let Open report it; nothing is known to be abandoned
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() <= current {
			continue
		}
		dir := filepath.Join(builds, e.Name())
		l, err := lockExclusive(filepath.Join(dir, lockFile))
		if err != nil {
			continue // open or being built: not abandoned
		}
		err = os.RemoveAll(dir)
		l.unlock()
		if err != nil {
			slog.Warn("remove abandoned index build", "dir", dir, "err", err)
			continue
		}
		removed = append(removed, dir)
	}
	if tmps, err := filepath.Glob(filepath.Join(root, currentFile+".tmp-*")); err == nil {
		for _, t := range tmps {
			_ = os.Remove(t)
		}
	}
	return removed
}
