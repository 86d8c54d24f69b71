# METADATA
# title: Long-lived service account token Secret
# description: >-
#   A Secret of type kubernetes.io/service-account-token makes the token controller store
#   a token for the service account named in its kubernetes.io/service-account.name
#   annotation. That token does not expire and is not bound to a pod: it stays valid
#   until the Secret or the account is deleted, and anyone who can read Secrets in the
#   namespace, or who finds a copy outside the cluster, can call the API server as the
#   account. Kubernetes has stopped creating such Secrets (1.24) and recommends
#   short-lived tokens from the TokenRequest API or projected serviceAccountToken
#   volumes instead; the legacy token cleaner only invalidates unused Secrets that
#   Kubernetes generated itself, never those created on purpose. Every v1 Secret of that
#   type is reported, with the service account it names when it has the annotation.
# scope: package
# custom:
#   id: RF-RBAC-018
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Secret}
#   remediation: >-
#     Delete the Secret and give the client a short-lived token instead: a projected
#     serviceAccountToken volume for pods, kubectl create token or the TokenRequest API
#     for clients outside the cluster. Keep a token Secret only for a client that cannot
#     renew tokens, and then rotate it and restrict who can read Secrets in its namespace.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.2: Minimize access to secrets"
#     - "CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only mounted where necessary"
#     - "NSA/CISA Kubernetes Hardening Guide: Protecting Pod service account tokens"
#     - https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets
#     - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
#     - https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token
#   parameters: []
package ringfence.rules.rbac.legacy_token_secret

import data.ringfence.lib.core

deny contains {"msg": msg, "field": "type"} if {
	core.kind == "Secret"
	core.api_version == "v1"
	core.resource.type == "kubernetes.io/service-account-token"
	msg := sprintf("%s: %s", [core.display, what])
}

what := sprintf("holds a long-lived, non-expiring token for service account %q", [account]) if {
	account := core.annotations["kubernetes.io/service-account.name"]
	is_string(account)
	account != ""
} else := "is of type kubernetes.io/service-account-token but names no service account in the kubernetes.io/service-account.name annotation (the API server rejects it)"
