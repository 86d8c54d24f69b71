# METADATA
# title: Role approves certificate signing requests
# description: >-
#   Approving a CertificateSigningRequest takes update or patch on
#   certificatesigningrequests/approval and approve on signers, both in
#   certificates.k8s.io, for the request's signer (resourceNames hold signer names, or
#   "<domain>/*"). Whoever holds both can approve a request for the
#   kubernetes.io/kube-apiserver-client signer naming any user and group, system:masters
#   included, and authenticate with the certificate, which cannot be revoked until it
#   expires. Each half is reported on its own. approval restricted with resourceNames
#   reaches the named requests alone and is not reported; approve on signers restricted
#   to names none of which starts with "kubernetes.io/" approves for other signers only
#   and is not reported either. Matching follows the RBAC authorizer ("*",
#   "*/approval"). Both resources are cluster-scoped, so only ClusterRoles grant them.
#   Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate are checked
#   themselves.
# scope: package
# custom:
#   id: RF-RBAC-009
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Leave approval of kubernetes.io signers to the controller manager and to
#     administrators; an approver for a custom signer should get approve on that signer
#     alone, by name in resourceNames.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.11: Minimize access to the approval sub-resource of certificatesigningrequests objects"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing
#     - https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization
#   parameters: []
package ringfence.rules.rbac.csr_approval

import data.ringfence.lib.rbac

deny contains f if {
	rbac.is_role
	rbac.cluster_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches the approval subresource or
# signers to the resources it matches, for rbac.matching.
resource_entries := {
	"certificatesigningrequests/approval": ["certificatesigningrequests/approval"],
	"*/approval": ["certificatesigningrequests/approval"],
	"signers": ["signers"],
	"*": ["certificatesigningrequests/approval", "signers"],
}

grants contains {"index": i, "resource": "certificatesigningrequests/approval", "verbs": verbs} if {
	rbac.cluster_role
	some [i, resource] in rbac.matching(resource_entries)
	resource == "certificatesigningrequests/approval"
	rule := rbac.rules[i]
	rbac.group_matches(rule, "certificates.k8s.io")
	not rbac.restricts_named(rule)
	verbs := rbac.verb_labels(rule, {"update", "patch"})
}

grants contains {"index": i, "resource": "signers", "verbs": verbs} if {
	rbac.cluster_role
	some [i, resource] in rbac.matching(resource_entries)
	resource == "signers"
	rule := rbac.rules[i]
	rbac.group_matches(rule, "certificates.k8s.io")
	not other_signers_only(rule)
	verbs := rbac.verb_labels(rule, {"approve"})
}

# other_signers_only is true when resourceNames limits the rule to signers outside
# kubernetes.io.
other_signers_only(rule) if {
	rbac.restricts_named(rule)
	every n in rbac.resource_names(rule) {
		not startswith(n, "kubernetes.io/")
	}
}
