package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/methods/train"
)

func TestNoFlagsIsQuick(t *testing.T) {
	o, err := parse(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, quick) {
		t.Errorf("no flags give %+v, want %+v", o, quick)
	}
	o, err = parse([]string{"-width", "64"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.width != 64 || o.epochs != 300 || o.batch != 512 || o.lr != 1e-4 || o.seed != 100 || len(o.methods) != 1 {
		t.Errorf("with a flag: %+v, want the paper's setup", o)
	}
}

func TestUsageSaysWhatNoFlagsDo(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parse([]string{"-h"}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	want := fmt.Sprintf("-method wperp,wt,ap,backprop -epochs %d -batch %d -lr %g", quick.epochs, quick.batch, quick.lr)
	for _, s := range []string{"Without any flag", want, "-json", "-data"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, stderr.String())
		}
	}
}

func TestParseMethods(t *testing.T) {
	all, err := train.ParseMethods("all")
	if err != nil || all[len(all)-1] != "backprop" || len(all) < 7 {
		t.Errorf("all: %v, %v", all, err)
	}
	ms, err := train.ParseMethods("wperp, wt,backprop")
	if err != nil || !reflect.DeepEqual(ms, []string{"wperp", "wt", "backprop"}) {
		t.Errorf("list: %v, %v", ms, err)
	}
	if _, err := train.ParseMethods("wperp,sgd"); err == nil || !strings.Contains(err.Error(), `"sgd"`) {
		t.Errorf("unknown method: error %v", err)
	}
}

func TestRun(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-method", "backprop,wt", "-epochs", "2", "-width", "16", "-depth", "2", "-batch", "256", "-json", "-out", out}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"epoch":1,"method":"backprop","width":16,`) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	for _, s := range []string{"method", "train acc", "backprop", "wt", "accuracy.png"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}
	for _, f := range []string{"accuracy.png", "loss.png", "wt/metrics.csv", "backprop/checkpoint.gob"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-method", "wt,ap", "-epochs", "1", "-width", "16", "-out", t.TempDir()}, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want a cancellation", err)
	}
	if !strings.Contains(stdout.String(), "wt") || strings.Contains(stdout.String(), "ap ") {
		t.Errorf("the table should show the interrupted run only:\n%s", stdout.String())
	}
}
