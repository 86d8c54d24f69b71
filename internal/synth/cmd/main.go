// Command synth writes a generated set of Kubernetes objects as multi-document YAML
// files of about 500 objects each, for benchmarking whole commands: a mixed set (-n), or
// a segmented cluster for the connectivity benchmarks (-cluster).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/internal/synth"
)

func main() {
	n := flag.Int("n", 10000, "number of objects")
	out := flag.String("o", "", "output directory (created)")
	seed := flag.Uint64("seed", 1, "random seed")
	cilium := flag.Bool("cilium", true, "add Cilium policies to the mixed set (synth.WithCilium)")
	cluster := flag.Int("cluster", 0, "instead, a segmented cluster of this many times 50 namespaces, 2,000 workloads and 1,000 NetworkPolicies")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synth: -o DIR is required")
		os.Exit(2)
	}
	objs := synth.Generate(*n, *seed)
	if *cilium {
		objs = synth.WithCilium(objs, *seed)
	}
	if *cluster > 0 {
		objs = synth.Cluster(50**cluster, 2000**cluster, 1000**cluster, *seed)
	}
	if err := write(*out, objs); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func write(dir string, objs []map[string]any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	const perFile = 500
	for start := 0; start < len(objs); start += perFile {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("objects-%05d.yaml", start/perFile)))
		if err != nil {
			return err
		}
		for _, o := range objs[start:min(start+perFile, len(objs))] {
			b, err := yaml.Marshal(o)
			if err != nil {
				f.Close()
				return fmt.Errorf("encoding object: %w", err)
			}
			fmt.Fprintf(f, "---\n%s", b)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
