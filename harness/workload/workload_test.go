package workload_test

import (
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/workload"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name, src          string
		ok, err            bool
		kind, ns, path, sa string
	}{
		{"pod", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {serviceAccountName: web}", true, false, "Pod", "shop", "spec", "web"},
		{"cronjob", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {serviceAccount: legacy}}}}}", true, false, "CronJob", "default", "spec.jobTemplate.spec.template.spec", "legacy"},
		{"deployment of extensions", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {generateName: d-}\nspec: {template: {spec: {}}}", true, false, "Deployment", "default", "spec.template.spec", "default"},
		{"pod template", "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate: {spec: {}}", true, false, "PodTemplate", "default", "template.spec", "default"},
		{"no template", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}", false, false, "", "", "", ""},
		{"other group", "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {}}}", false, false, "", "", "", ""},
		{"undecodable", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: nope}", false, true, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(tt.src), &obj); err != nil {
				t.Fatal(err)
			}
			pod, ok, err := workload.Of(obj)
			if ok != tt.ok || (err != nil) != tt.err {
				t.Fatalf("ok=%v err=%v, want ok=%v err=%v", ok, err, tt.ok, tt.err)
			}
			if !ok {
				return
			}
			if pod.Kind != tt.kind || pod.Namespace != tt.ns || pod.Path != tt.path || workload.ServiceAccountName(pod.Spec) != tt.sa {
				t.Errorf("got %s %s %s %s, want %s %s %s %s", pod.Kind, pod.Namespace, pod.Path, workload.ServiceAccountName(pod.Spec), tt.kind, tt.ns, tt.path, tt.sa)
			}
		})
	}
}

func TestMadeByController(t *testing.T) {
	tests := []struct {
		name, src string
		owner     string // kind/name, "" for none
	}{
		{"daemonset pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u, controller: true}]\nspec: {}", "DaemonSet/agent"},
		{"replicaset of a deployment", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-5d4f8\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}]\nspec: {template: {spec: {}}}", "Deployment/web"},
		{"owner that is not the controller", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u}]\nspec: {}", ""},
		{"mirror pod of a static pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd-node-1\n  ownerReferences: [{apiVersion: v1, kind: Node, name: node-1, uid: u, controller: true}]\nspec: {}", ""},
		{"operator's pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences: [{apiVersion: example.com/v1, kind: Database, name: db, uid: u, controller: true}]\nspec: {}", ""},
		{"a deployment is never made from a template", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: x, uid: u, controller: true}]\nspec: {template: {spec: {}}}", ""},
		{"reference without a kind", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences: [{name: x, controller: true}]\nspec: {}", ""},
		{"malformed references on a template", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  ownerReferences: [{name: [x], controller: yes}]\nspec: {template: {spec: {}}}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(tt.src), &obj); err != nil {
				t.Fatal(err)
			}
			pod, ok, err := workload.Of(obj)
			if !ok || err != nil {
				t.Fatalf("Of: ok=%v err=%v", ok, err)
			}
			got := ""
			if owner, ok := workload.MadeByController(pod.Kind, pod.OwnerReferences); ok {
				got = owner.Kind + "/" + owner.Name
			}
			if got != tt.owner {
				t.Errorf("owner %q, want %q", got, tt.owner)
			}
		})
	}
}
