package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// invalidGlob matches the malformed IR files. Each starts with a line
// "// ERROR: <substring of the expected message>", optionally followed by
// "// AT: line:col", the position the message must carry.
const invalidGlob = "../testdata/invalid/*.pf"

// invalidExpectation reads the ERROR and AT header lines of src.
func invalidExpectation(src string) (msg, at string, ok bool) {
	header, _ := splitHeader(src)
	for line := range strings.Lines(header) {
		line = strings.TrimSpace(line)
		if s, found := strings.CutPrefix(line, "// ERROR:"); found {
			msg, ok = strings.TrimSpace(s), true
		}
		if s, found := strings.CutPrefix(line, "// AT:"); found {
			at = strings.TrimSpace(s)
		}
	}
	return msg, at, ok && msg != ""
}

// parseAndVerify parses src and, if that succeeds, verifies the module.
func parseAndVerify(name string, src []byte) error {
	m, err := Parse(name, src)
	if err != nil {
		return err
	}
	return VerifyModule(m)
}

// TestInvalidFiles checks that every malformed file is rejected, by the
// parser or the verifier, with the expected message at the expected
// position.
func TestInvalidFiles(t *testing.T) {
	files, err := filepath.Glob(invalidGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("%d files match %s, want at least 15", len(files), invalidGlob)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, at, ok := invalidExpectation(string(src))
			if !ok {
				t.Fatalf("%s does not start with a // ERROR: line", path)
			}
			err = parseAndVerify(name, src)
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", want)
			}
			got := err.Error()
			if !strings.Contains(got, want) {
				t.Errorf("error\n  %s\ndoes not contain\n  %s", got, want)
			}
			if at != "" && !strings.Contains(got, name+":"+at+":") {
				t.Errorf("error\n  %s\nis not at %s", got, at)
			}
		})
	}
}
