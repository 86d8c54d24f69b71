package synth

import (
	"fmt"
	"math/rand/v2"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RBACSet is a generated set of namespaces and RBAC objects, valid for the API server.
type RBACSet struct {
	Namespaces          []*corev1.Namespace
	ServiceAccounts     []*corev1.ServiceAccount
	ClusterRoles        []*rbacv1.ClusterRole
	Roles               []*rbacv1.Role
	ClusterRoleBindings []*rbacv1.ClusterRoleBinding
	RoleBindings        []*rbacv1.RoleBinding
}

// The pools RBAC and the questions about it draw from; they overlap on purpose so that
// rules and questions meet often, in both directions.
var (
	RBACNamespaces = []string{"shop", "billing", "ops"}
	RBACUsers      = []string{"alice", "bob", "carol", "system:serviceaccount:shop:impostor"}
	RBACGroups     = []string{"dev", "ops", "auditors", "system:authenticated", "system:serviceaccounts", "system:serviceaccounts:shop"}
	RBACVerbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve", "*"}
	RBACGroupsAPI  = []string{"", "apps", "batch", "rbac.authorization.k8s.io", "certificates.k8s.io", "networking.k8s.io", "*"}
	RBACResources  = []string{"pods", "pods/exec", "pods/log", "secrets", "configmaps", "services", "deployments", "deployments/scale",
		"*/scale", "roles", "clusterroles", "rolebindings", "certificatesigningrequests/approval", "signers", "networkpolicies",
		"serviceaccounts", "serviceaccounts/token", "users", "groups", "nodes", "nodes/proxy", "*"}
	RBACNames = []string{"web", "db", "app-tls", "admin"}
	RBACURLs  = []string{"/metrics", "/healthz", "/healthz/*", "/api", "/api/*", "/logs/*", "*"}
)

// RBAC generates a set of RBAC objects: ClusterRoles (some aggregating others by labels,
// nested, and some labelled to aggregate into the default admin, edit and view roles),
// Roles, and RoleBindings and ClusterRoleBindings to users, groups and service accounts,
// referring to generated and default roles. The same seed gives the same set.
func RBAC(seed uint64) *RBACSet {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	pick := func(pool []string) string { return pool[rng.IntN(len(pool))] }
	some := func(pool []string, max int) []string {
		n := 1 + rng.IntN(max)
		seen := map[string]bool{}
		var out []string
		for range n {
			if v := pick(pool); !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		return out
	}
	resourceRule := func() rbacv1.PolicyRule {
		r := rbacv1.PolicyRule{Verbs: some(RBACVerbs, 3), APIGroups: some(RBACGroupsAPI, 2), Resources: some(RBACResources, 3)}
		if rng.IntN(5) == 0 {
			r.ResourceNames = some(append(RBACNames, ""), 2)
		}
		return r
	}
	rules := func(cluster bool) []rbacv1.PolicyRule {
		var out []rbacv1.PolicyRule
		for range 1 + rng.IntN(3) {
			if cluster && rng.IntN(6) == 0 {
				out = append(out, rbacv1.PolicyRule{Verbs: some([]string{"get", "post", "*"}, 2), NonResourceURLs: some(RBACURLs, 2)})
				continue
			}
			out = append(out, resourceRule())
		}
		return out
	}
	set := &RBACSet{}
	for _, ns := range RBACNamespaces {
		set.Namespaces = append(set.Namespaces, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		for i := range 3 {
			set.ServiceAccounts = append(set.ServiceAccounts, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("sa-%d", i), Namespace: ns}})
		}
	}
	teams := []string{"red", "green", "blue"}
	var clusterRoleNames []string
	for i := range 24 {
		name := fmt.Sprintf("gen-cr-%02d", i)
		labels := map[string]string{}
		switch rng.IntN(6) {
		case 0, 1:
			labels["team"] = pick(teams)
		case 2:
			labels["rbac.authorization.k8s.io/aggregate-to-"+pick([]string{"view", "edit", "admin"})] = "true"
		}
		set.ClusterRoles = append(set.ClusterRoles, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Rules:      rules(true),
		})
		clusterRoleNames = append(clusterRoleNames, name)
	}
	// Aggregated ClusterRoles: one a team, one over two teams by an expression, and one
	// that aggregates an aggregated role (nesting).
	for i, team := range teams {
		set.ClusterRoles = append(set.ClusterRoles, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "gen-agg-" + team, Labels: map[string]string{"tier": fmt.Sprint(i % 2)}},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchLabels: map[string]string{"team": team}},
			}},
		})
		clusterRoleNames = append(clusterRoleNames, "gen-agg-"+team)
	}
	set.ClusterRoles = append(set.ClusterRoles,
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "gen-agg-expr"},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpIn, Values: []string{"red", "blue"}}}},
			}},
		},
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "gen-agg-nested"},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchLabels: map[string]string{"tier": "1"}},
				{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpDoesNotExist}, {Key: "tier", Operator: metav1.LabelSelectorOpExists}}},
			}},
		},
	)
	clusterRoleNames = append(clusterRoleNames, "gen-agg-expr", "gen-agg-nested", "admin", "edit", "view", "cluster-admin", "missing-role")
	roleNames := map[string][]string{}
	for i := range 15 {
		ns := pick(RBACNamespaces)
		name := fmt.Sprintf("gen-role-%02d", i)
		set.Roles = append(set.Roles, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules(false)})
		roleNames[ns] = append(roleNames[ns], name)
	}
	subjects := func(namespace string) []rbacv1.Subject {
		var out []rbacv1.Subject
		for range 1 + rng.IntN(3) {
			switch rng.IntN(4) {
			case 0:
				out = append(out, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: pick(RBACUsers)})
			case 1:
				out = append(out, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: pick(RBACGroups)})
			default:
				s := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: fmt.Sprintf("sa-%d", rng.IntN(3)), Namespace: pick(RBACNamespaces)}
				if namespace != "" && rng.IntN(3) == 0 {
					s.Namespace = "" // the RoleBinding's own namespace
				}
				out = append(out, s)
			}
		}
		return out
	}
	for i := range 10 {
		set.ClusterRoleBindings = append(set.ClusterRoleBindings, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("gen-crb-%02d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(clusterRoleNames)},
			Subjects:   subjects(""),
		})
	}
	for i := range 30 {
		ns := pick(RBACNamespaces)
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(clusterRoleNames)}
		if names := roleNames[ns]; len(names) > 0 && rng.IntN(2) == 0 {
			ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: pick(names)}
		}
		set.RoleBindings = append(set.RoleBindings, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("gen-rb-%02d", i), Namespace: ns},
			RoleRef:    ref,
			Subjects:   subjects(ns),
		})
	}
	return set
}
