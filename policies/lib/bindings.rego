# METADATA
# title: ringfence RBAC bindings library
# description: >-
#   The RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io) of
#   data.inventory, read the way the RBAC authorizer reads their subjects. Every value is
#   safe on objects of any shape.
# scope: package
package ringfence.lib.bindings

import data.ringfence.lib.inventory

# binds_service_account is true when a RoleBinding of namespace ns or a
# ClusterRoleBinding (rbac.authorization.k8s.io) in the inventory names the service
# account ns/name among its subjects: as a ServiceAccount (a RoleBinding's subject
# without a namespace is in the binding's namespace), as the user
# system:serviceaccount:<ns>:<name>, or through the groups system:serviceaccounts,
# system:serviceaccounts:<ns> or system:authenticated. What the bound role grants, and
# whether it exists, is not looked at.
binds_service_account(ns, name) if {
	some b in inventory.namespaced(ns, "RoleBinding")
	is_binding(b)
	some s in subjects(b)
	names_service_account(s, ns, ns, name)
}

binds_service_account(ns, name) if {
	some b in inventory.cluster_scoped("ClusterRoleBinding")
	is_binding(b)
	some s in subjects(b)
	names_service_account(s, "", ns, name)
}

is_binding(b) if {
	is_object(b)
	is_string(b.apiVersion)
	startswith(b.apiVersion, "rbac.authorization.k8s.io/")
}

names_service_account(s, binding_ns, ns, name) if {
	s.kind == "ServiceAccount"
	s.name == name
	subject_namespace(s, binding_ns) == ns
}

names_service_account(s, _, ns, name) if {
	s.kind == "User"
	s.name == sprintf("system:serviceaccount:%s:%s", [ns, name])
}

names_service_account(s, _, ns, _) if {
	s.kind == "Group"
	s.name in {"system:serviceaccounts", "system:authenticated", concat(":", ["system:serviceaccounts", ns])}
}

subject_namespace(s, binding_ns) := s.namespace if {
	is_string(s.namespace)
	s.namespace != ""
} else := binding_ns

subjects(b) := b.subjects if is_array(b.subjects)

else := []
