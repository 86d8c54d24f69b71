package rbac

import (
	_ "embed"
	"fmt"

	"sigs.k8s.io/yaml"
)

// DefaultPolicyVersion is the Kubernetes release whose default policy is embedded.
const DefaultPolicyVersion = "v1.37"

// defaultPolicyYAML is the default RBAC policy of a new cluster: the ClusterRoles,
// ClusterRoleBindings, Roles and RoleBindings kube-apiserver v1.37 creates at start-up,
// with the aggregated ClusterRoles' rules left to aggregation. The e2e test that starts a
// real kube-apiserver checks it and rewrites it with RINGFENCE_UPDATE_DEFAULTS=1.
//
//go:embed defaults/policy-v1.37.yaml
var defaultPolicyYAML []byte

// DefaultPolicy returns the objects of Kubernetes' default RBAC policy.
func DefaultPolicy() ([]map[string]any, error) {
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal(defaultPolicyYAML, &list); err != nil {
		return nil, fmt.Errorf("default RBAC policy: %w", err)
	}
	return list.Items, nil
}
