// Command kube is kube-apiserver and kube-controller-manager from k8s.io/kubernetes (pinned
// in go.mod) in one binary, built from the Go module proxy for ringfence's tests against a
// real Kubernetes API server. The first argument names the program:
//
//	kube apiserver --etcd-servers=... --endpoint-reconciler-type=none ...
//	kube controller-manager --kubeconfig=... --controllers=clusterrole-aggregation ...
//
// One binary, because both link most of the same packages and a cold build of each takes
// minutes on a small machine.
package main

import (
	"fmt"
	"os"

	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube apiserver|controller-manager [flags]")
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	switch name {
	case "apiserver":
		cmd := apiserver.NewAPIServerCommand()
		cmd.SetArgs(args)
		os.Exit(cli.Run(cmd))
	case "controller-manager":
		cmd := controllermanager.NewControllerManagerCommand()
		cmd.SetArgs(args)
		os.Exit(cli.Run(cmd))
	default:
		fmt.Fprintf(os.Stderr, "kube: unknown program %q (want apiserver or controller-manager)\n", name)
		os.Exit(2)
	}
}
