// Command etcd is etcd's own server (go.etcd.io/etcd/server/v3, pinned in go.mod), built
// from the Go module proxy for ringfence's tests against a real Kubernetes API server.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
