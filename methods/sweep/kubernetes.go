package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Kubernetes writes sweeps as Kubernetes Indexed Jobs: pod i runs the cell
// on line i+1 of the manifest, which a ConfigMap beside the Job holds,
// picked by JOB_COMPLETION_INDEX; the results directory is a
// PersistentVolumeClaim every pod mounts at the sweep's Dir.
type Kubernetes struct {
	// Image is the container image; it has a POSIX shell and sed, and
	// the sweep's command on its PATH (or at an absolute path).
	Image string
	// Volume is the PersistentVolumeClaim holding the results, mounted at
	// the sweep's Dir. Pods on several nodes need ReadWriteMany.
	Volume string
	// CPUs is each pod's CPU request (default 1), and its GOMAXPROCS.
	CPUs int
	// MaxParallel is the Job's parallelism; 0 runs every cell at once.
	MaxParallel int
	// BackoffLimitPerIndex is how often a failed cell is retried
	// (default 3); evictions and preemptions do not count.
	BackoffLimitPerIndex int
	// GraceSeconds is how long a pod asked to stop (SIGTERM) has to save
	// its checkpoint (default 300).
	GraceSeconds int
}

// manifestDir is where the ConfigMap with the manifest is mounted.
const manifestDir = "/etc/sweep"

// indexedCommand is the container's shell: it reads the pod's cell from
// the manifest and runs the command with it.
const indexedCommand = `cell=$(sed -n "$((JOB_COMPLETION_INDEX + 1))p" ` + manifestDir + `/cells) && [ -n "$cell" ] && exec "$0" "$@" "$cell"`

// Manifest returns the YAML of s as a ConfigMap (the manifest, named
// after the sweep with "-cells") and an Indexed Job, in one file for
// kubectl apply -f.
func (k *Kubernetes) Manifest(s Sweep) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := k.check(); err != nil {
		return nil, err
	}
	labels := map[string]string{"app.kubernetes.io/name": s.Name, "app.kubernetes.io/component": "sweep"}
	cells := s.Name + "-cells"
	cm := configMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: objectMeta{Name: cells, Labels: labels},
		Data: map[string]string{"cells": manifest(s.Cells)}}
	n := len(s.Cells)
	parallel := n
	if k.MaxParallel > 0 {
		parallel = min(k.MaxParallel, n)
	}
	cpu := strconv.Itoa(max(k.CPUs, 1))
	job := job{APIVersion: "batch/v1", Kind: "Job", Metadata: objectMeta{Name: s.Name, Labels: labels},
		Spec: jobSpec{
			CompletionMode: "Indexed", Completions: n, Parallelism: parallel,
			BackoffLimitPerIndex: orDefault(k.BackoffLimitPerIndex, 3),
			PodFailurePolicy: podFailurePolicy{Rules: []podFailureRule{{Action: "Ignore",
				OnPodConditions: []podCondition{{Type: "DisruptionTarget"}}}}},
			Template: podTemplate{Metadata: objectMeta{Labels: labels}, Spec: podSpec{
				RestartPolicy: "Never", TerminationGracePeriodSeconds: orDefault(k.GraceSeconds, 300),
				Containers: []container{{
					Name: "cell", Image: k.Image,
					Command:   append([]string{"/bin/sh", "-c", indexedCommand}, s.Command...),
					Env:       []envVar{{Name: "GOMAXPROCS", Value: cpu}},
					Resources: resources{Requests: map[string]string{"cpu": cpu}},
					VolumeMounts: []volumeMount{
						{Name: "results", MountPath: s.Dir},
						{Name: "cells", MountPath: manifestDir, ReadOnly: true},
					},
				}},
				Volumes: []volume{
					{Name: "results", PersistentVolumeClaim: &pvcSource{ClaimName: k.Volume}},
					{Name: "cells", ConfigMap: &configMapSource{Name: cells}},
				},
			}},
		}}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Sweep %s: %d cells, one pod each (JOB_COMPLETION_INDEX i runs line i+1 of the\n", s.Name, n)
	fmt.Fprintf(&b, "# manifest); results on the claim %s at %s. Written by methods/sweep.\n", k.Volume, s.Dir)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, doc := range []any{cm, job} {
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("sweep: kubernetes: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("sweep: kubernetes: %w", err)
	}
	return b.Bytes(), nil
}

func (k *Kubernetes) check() error {
	var errs []error
	if k.Image == "" {
		errs = append(errs, errors.New("no image"))
	}
	if !isDNSLabel(k.Volume) {
		errs = append(errs, fmt.Errorf("volume claim %q is not a lower-case DNS label", k.Volume))
	}
	if k.CPUs < 0 || k.MaxParallel < 0 || k.BackoffLimitPerIndex < 0 || k.GraceSeconds < 0 {
		errs = append(errs, fmt.Errorf("negative CPUs %d, MaxParallel %d, BackoffLimitPerIndex %d or GraceSeconds %d",
			k.CPUs, k.MaxParallel, k.BackoffLimitPerIndex, k.GraceSeconds))
	}
	if len(errs) > 0 {
		return fmt.Errorf("sweep: kubernetes: %w", errors.Join(errs...))
	}
	return nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// The parts of the Kubernetes API objects the manifest uses, with the
// API's field names.
type (
	objectMeta struct {
		Name   string            `yaml:"name,omitempty"`
		Labels map[string]string `yaml:"labels,omitempty"`
	}
	configMap struct {
		APIVersion string            `yaml:"apiVersion"`
		Kind       string            `yaml:"kind"`
		Metadata   objectMeta        `yaml:"metadata"`
		Data       map[string]string `yaml:"data"`
	}
	job struct {
		APIVersion string     `yaml:"apiVersion"`
		Kind       string     `yaml:"kind"`
		Metadata   objectMeta `yaml:"metadata"`
		Spec       jobSpec    `yaml:"spec"`
	}
	jobSpec struct {
		CompletionMode       string           `yaml:"completionMode"`
		Completions          int              `yaml:"completions"`
		Parallelism          int              `yaml:"parallelism"`
		BackoffLimitPerIndex int              `yaml:"backoffLimitPerIndex"`
		PodFailurePolicy     podFailurePolicy `yaml:"podFailurePolicy"`
		Template             podTemplate      `yaml:"template"`
	}
	podFailurePolicy struct {
		Rules []podFailureRule `yaml:"rules"`
	}
	podFailureRule struct {
		Action          string         `yaml:"action"`
		OnPodConditions []podCondition `yaml:"onPodConditions"`
	}
	podCondition struct {
		Type string `yaml:"type"`
	}
	podTemplate struct {
		Metadata objectMeta `yaml:"metadata"`
		Spec     podSpec    `yaml:"spec"`
	}
	podSpec struct {
		RestartPolicy                 string      `yaml:"restartPolicy"`
		TerminationGracePeriodSeconds int         `yaml:"terminationGracePeriodSeconds"`
		Containers                    []container `yaml:"containers"`
		Volumes                       []volume    `yaml:"volumes"`
	}
	container struct {
		Name         string        `yaml:"name"`
		Image        string        `yaml:"image"`
		Command      []string      `yaml:"command"`
		Env          []envVar      `yaml:"env"`
		Resources    resources     `yaml:"resources"`
		VolumeMounts []volumeMount `yaml:"volumeMounts"`
	}
	envVar struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	}
	resources struct {
		Requests map[string]string `yaml:"requests"`
	}
	volumeMount struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly,omitempty"`
	}
	volume struct {
		Name                  string           `yaml:"name"`
		PersistentVolumeClaim *pvcSource       `yaml:"persistentVolumeClaim,omitempty"`
		ConfigMap             *configMapSource `yaml:"configMap,omitempty"`
	}
	pvcSource struct {
		ClaimName string `yaml:"claimName"`
	}
	configMapSource struct {
		Name string `yaml:"name"`
	}
)
