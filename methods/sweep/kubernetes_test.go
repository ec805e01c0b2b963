package sweep

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// k8sDocs parses a multi-document YAML file into generic maps, as kubectl
// would read it, independently of the structs that wrote it.
func k8sDocs(t *testing.T, y []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(y))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("the manifest is not YAML: %v\n%s", err, y)
		}
		docs = append(docs, doc)
	}
}

// at follows a path of map keys and list indices.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %q", path, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

func TestKubernetesManifest(t *testing.T) {
	s := Sweep{Name: "reproduce", Dir: "/results", Command: []string{"reproduce", "-epochs", "300", "-results", "/results", "-cell"},
		Cells: []string{"wt-w64-s100", "wperp-w64-s100", "backprop-w64-s100"}}
	k := &Kubernetes{Image: "registry.example.org/reproduce:v1", Volume: "mnist1d-results", CPUs: 4, MaxParallel: 2}
	y, err := k.Manifest(s)
	if err != nil {
		t.Fatal(err)
	}
	docs := k8sDocs(t, y)
	if len(docs) != 2 {
		t.Fatalf("%d documents, want a ConfigMap and a Job:\n%s", len(docs), y)
	}
	cm, job := docs[0], docs[1]
	for _, c := range []struct {
		doc  map[string]any
		path []any
		want any
	}{
		{cm, []any{"apiVersion"}, "v1"},
		{cm, []any{"kind"}, "ConfigMap"},
		{cm, []any{"metadata", "name"}, "reproduce-cells"},
		{cm, []any{"data", "cells"}, "wt-w64-s100\nwperp-w64-s100\nbackprop-w64-s100\n"},
		{job, []any{"apiVersion"}, "batch/v1"},
		{job, []any{"kind"}, "Job"},
		{job, []any{"metadata", "name"}, "reproduce"},
		{job, []any{"spec", "completionMode"}, "Indexed"},
		{job, []any{"spec", "completions"}, 3},
		{job, []any{"spec", "parallelism"}, 2},
		{job, []any{"spec", "backoffLimitPerIndex"}, 3},
		{job, []any{"spec", "podFailurePolicy", "rules", 0, "action"}, "Ignore"},
		{job, []any{"spec", "podFailurePolicy", "rules", 0, "onPodConditions", 0, "type"}, "DisruptionTarget"},
		{job, []any{"spec", "template", "spec", "restartPolicy"}, "Never"},
		{job, []any{"spec", "template", "spec", "terminationGracePeriodSeconds"}, 300},
		{job, []any{"spec", "template", "spec", "containers", 0, "image"}, "registry.example.org/reproduce:v1"},
		{job, []any{"spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"}, "4"},
		{job, []any{"spec", "template", "spec", "containers", 0, "env", 0, "name"}, "GOMAXPROCS"},
		{job, []any{"spec", "template", "spec", "containers", 0, "env", 0, "value"}, "4"},
		{job, []any{"spec", "template", "spec", "containers", 0, "volumeMounts", 0, "name"}, "results"},
		{job, []any{"spec", "template", "spec", "containers", 0, "volumeMounts", 0, "mountPath"}, "/results"},
		{job, []any{"spec", "template", "spec", "containers", 0, "volumeMounts", 1, "mountPath"}, manifestDir},
		{job, []any{"spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"}, "mnist1d-results"},
		{job, []any{"spec", "template", "spec", "volumes", 1, "configMap", "name"}, "reproduce-cells"},
	} {
		if got := at(t, c.doc, c.path...); !cmp.Equal(got, c.want) {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	cmd := at(t, job, "spec", "template", "spec", "containers", 0, "command").([]any)
	var args []string
	for _, a := range cmd {
		args = append(args, a.(string))
	}
	if args[0] != "/bin/sh" || args[1] != "-c" || !strings.Contains(args[2], "JOB_COMPLETION_INDEX") {
		t.Errorf("the container does not pick its cell by JOB_COMPLETION_INDEX: %q", args)
	}
	if diff := cmp.Diff(s.Command, args[3:]); diff != "" {
		t.Errorf("the container's command (-want +got):\n%s", diff)
	}
	runIndexedCommand(t, args, s.Cells)
}

// runIndexedCommand runs the container's shell command here, with the
// manifest in a temporary directory and echo for the program, and checks
// that index i runs cell i and an index past the end fails.
func runIndexedCommand(t *testing.T, args, cells []string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cells"), []byte(manifest(cells)), 0o644); err != nil {
		t.Fatal(err)
	}
	script := strings.ReplaceAll(args[2], manifestDir, dir)
	for i, want := range cells {
		cmd := exec.Command("sh", "-c", script, "echo", "-results", "/results", "-cell")
		cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+string(rune('0'+i)))
		out, err := cmd.Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != "-results /results -cell "+want {
			t.Errorf("index %d ran %q, %v; want the cell %s", i, got, err, want)
		}
	}
	cmd := exec.Command("sh", "-c", script, "echo")
	cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX=9")
	if out, err := cmd.Output(); err == nil {
		t.Errorf("an index past the manifest ran %q", out)
	}
}

func TestKubernetesErrors(t *testing.T) {
	s := Sweep{Name: "reproduce", Dir: "/results", Command: []string{"reproduce", "-cell"}, Cells: []string{"a"}}
	for _, tc := range []struct {
		k    Kubernetes
		want string
	}{
		{Kubernetes{Volume: "v"}, "no image"},
		{Kubernetes{Image: "i", Volume: "Results_Claim"}, "not a lower-case DNS label"},
		{Kubernetes{Image: "i", Volume: "v", CPUs: -1}, "negative"},
	} {
		if _, err := tc.k.Manifest(s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.k, err, tc.want)
		}
	}
	s.Dir = "results"
	k := &Kubernetes{Image: "i", Volume: "v"}
	if _, err := k.Manifest(s); err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Errorf("a relative mount path: %v", err)
	}
}
