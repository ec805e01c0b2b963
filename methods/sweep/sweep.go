package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A Sweep is a set of independent cells and the command that runs one.
type Sweep struct {
	// Name names the job: sbatch's --job-name, the Kubernetes Job and
	// its ConfigMap. It must be a lower-case DNS label (a-z, 0-9, '-').
	Name string
	// Dir is the results directory, shared by every node. The sweep's
	// own files (scripts, manifests, logs, exit codes, the program) go in
	// Dir/sweep.
	Dir string
	// Command runs one cell: a task runs it with the cell's name appended
	// as the last argument (so a Command ending in "-cell" completes the
	// flag). The command must resume the cell from its checkpoint when
	// the cell has one, and stop with a checkpoint on SIGTERM.
	Command []string
	// Cells names the cells to run, one task each; task i runs Cells[i].
	Cells []string
}

// FilesDir is the directory under Dir that holds the sweep's own files.
const FilesDir = "sweep"

func (s *Sweep) files() string { return filepath.Join(s.Dir, FilesDir) }

// check reports what makes s unusable.
func (s *Sweep) check() error {
	var errs []error
	if !isDNSLabel(s.Name) {
		errs = append(errs, fmt.Errorf("name %q is not a lower-case DNS label (a-z, 0-9 and '-', at most 63)", s.Name))
	}
	if !filepath.IsAbs(s.Dir) {
		errs = append(errs, fmt.Errorf("directory %q is not absolute: tasks run elsewhere", s.Dir))
	}
	if len(s.Command) == 0 {
		errs = append(errs, errors.New("no command"))
	}
	if len(s.Cells) == 0 {
		errs = append(errs, errors.New("no cells"))
	}
	for _, c := range s.Cells {
		if c == "" || strings.ContainsAny(c, "\n\r\x00") || strings.TrimSpace(c) != c {
			errs = append(errs, fmt.Errorf("cell name %q: a manifest holds one name a line, without surrounding spaces", c))
		}
	}
	if d := duplicate(s.Cells); d != "" {
		errs = append(errs, fmt.Errorf("cell %q is listed twice", d))
	}
	if len(errs) > 0 {
		return fmt.Errorf("sweep: %w", errors.Join(errs...))
	}
	return nil
}

func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func duplicate(names []string) string {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return n
		}
		seen[n] = true
	}
	return ""
}

// manifest is the text of a manifest: one cell name a line, task i on
// line i+1.
func manifest(cells []string) string { return strings.Join(cells, "\n") + "\n" }

// ReadManifest returns the cell names of a manifest file.
func ReadManifest(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), nil
}

// InstallExecutable copies the running program into Dir/sweep/bin, named
// after its content, and returns the copy's path: tasks run that copy, so
// the program may be rebuilt (or, under go run, deleted) while they are
// queued. A copy already there is reused.
func InstallExecutable(dir string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("sweep: finding the program to install: %w", err)
	}
	return installFile(exe, filepath.Join(dir, FilesDir, "bin"))
}

func installFile(src, binDir string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("sweep: installing the program: %w", err)
	}
	sum := sha256.Sum256(b)
	dst := filepath.Join(binDir, fmt.Sprintf("%s-%s", filepath.Base(src), hex.EncodeToString(sum[:6])))
	if st, err := os.Stat(dst); err == nil && st.Size() == int64(len(b)) {
		return dst, nil
	}
	if err := writeAtomic(dst, b, 0o755); err != nil {
		return "", fmt.Errorf("sweep: installing the program: %w", err)
	}
	return dst, nil
}

// writeAtomic writes a file through a temporary file renamed over it, so
// that a reader sees the old content or the new, never a part.
func writeAtomic(path string, b []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// tail returns the last n lines of a file, or a note saying why there
// are none.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	const most = 64 << 10 // the end of a long log is enough
	if st, err := f.Stat(); err == nil && st.Size() > most {
		f.Seek(-most, io.SeekEnd)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return "(the log is empty)"
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
