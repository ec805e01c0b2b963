package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/data"
)

func TestNoFlagsIsQuick(t *testing.T) {
	o, err := parse(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, quick) {
		t.Errorf("no flags give %+v, want %+v", o, quick)
	}
}

func TestMissingData(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-data", filepath.Join(t.TempDir(), "none")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("error %v, want one saying the files are not found", err)
	}
}

func TestRun(t *testing.T) {
	if _, err := data.FindMNIST(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-method", "backprop,ap", "-epochs", "1", "-width", "16", "-batch", "128", "-train", "512", "-test", "256", "-out", out}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, s := range []string{"train acc", "backprop", "ap"} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "512 train, 256 test images") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "accuracy.png")); err != nil {
		t.Error(err)
	}
}
