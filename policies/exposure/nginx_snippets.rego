# METADATA
# title: ingress-nginx annotation injects nginx configuration
# description: >-
#   ingress-nginx copies some Ingress annotations into nginx.conf, where they run with the
#   controller's privileges and its service account, which by default reads every Secret
#   of the cluster. The *-snippet annotations (configuration-snippet, server-snippet,
#   stream-snippet, auth-snippet, modsecurity-snippet, ...) exist to insert raw nginx
#   configuration, so anyone who may create an Ingress can read the controller's token and
#   every Secret (CVE-2021-25742, CVE-2023-5043). Other annotations were pasted into
#   directives unsanitized (auth-url CVE-2025-24514, auth-tls-match-cn CVE-2025-1097,
#   mirror-target and mirror-host CVE-2025-1098, permanent-redirect CVE-2023-5044; the
#   admission webhook of CVE-2025-1974 renders them too): their values are reported
#   when they hold characters that end or escape a directive (a line break, ";", "{",
#   "}", "#", a quote, a backtick or "$("). The controller ConfigMap's
#   allow-snippet-annotations set to true turns snippet annotations on for every
#   Ingress (the default is false since v1.9; since v1.12 annotations-risk-level must
#   also be Critical).
# scope: package
# custom:
#   id: RF-EXP-010
#   severity: high
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#     - {apiVersion: v1, kind: ConfigMap}
#   remediation: >-
#     Remove the snippet annotations and use the dedicated annotations or the controller's
#     global configuration for what they did; set allow-snippet-annotations to false in the
#     controller ConfigMap. Write URLs and names in annotations without directive
#     characters, upgrade ingress-nginx to a fixed release (v1.11.5, v1.12.1 or later),
#     keep --enable-annotation-validation on, and restrict who may create Ingresses.
#   references:
#     - "CVE-2021-25742: Ingress-nginx custom snippets allows retrieval of ingress-nginx serviceaccount token and secrets across all namespaces"
#     - https://github.com/kubernetes/kubernetes/issues/126811
#     - "CVE-2023-5043: Ingress nginx annotation injection causes arbitrary command execution"
#     - https://github.com/kubernetes/kubernetes/issues/126816
#     - "CVE-2023-5044: Code injection via nginx.ingress.kubernetes.io/permanent-redirect annotation"
#     - https://github.com/kubernetes/kubernetes/issues/126817
#     - "CVE-2025-24514: ingress-nginx controller - configuration injection via unsanitized auth-url annotation"
#     - https://github.com/kubernetes/kubernetes/issues/131006
#     - "CVE-2025-1097: ingress-nginx controller - configuration injection via unsanitized auth-tls-match-cn annotation"
#     - https://github.com/kubernetes/kubernetes/issues/131007
#     - "CVE-2025-1098: ingress-nginx controller configuration injection via unsanitized mirror annotations"
#     - https://github.com/kubernetes/kubernetes/issues/131008
#     - "CVE-2025-1974: ingress-nginx admission controller RCE escalation"
#     - https://github.com/kubernetes/kubernetes/issues/131009
#     - https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
#     - https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations
#   parameters: []
package ringfence.rules.exposure.nginx_snippets

import data.ringfence.lib.core
import data.ringfence.lib.ingress

prefix := "nginx.ingress.kubernetes.io/"

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some key, value in core.annotations
	snippet(key)
	field := sprintf("metadata.annotations[%q]", [key])
	msg := sprintf("%s: annotation %s inserts raw nginx configuration, which runs with the controller's access to every Secret (CVE-2021-25742, CVE-2023-5043)", [core.display, key])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some name, cve in injectable
	key := concat("", [prefix, name])
	value := core.annotations[key]
	is_string(value)
	breaks_out(value)
	field := sprintf("metadata.annotations[%q]", [key])
	msg := sprintf("%s: annotation %s holds characters that end an nginx directive and inject configuration (%s)", [core.display, key, cve])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "ConfigMap"
	core.group == ""
	value := core.resource.data["allow-snippet-annotations"]
	is_string(value)
	lower(trim_space(value)) in {"true", "t", "1"}
	field := `data["allow-snippet-annotations"]`
	msg := sprintf("%s: allow-snippet-annotations is %q, so ingress-nginx accepts *-snippet annotations from every Ingress (CVE-2021-25742)", [core.display, value])
}

# snippet is true for an ingress-nginx annotation whose name ends in -snippet.
snippet(key) if {
	startswith(key, prefix)
	endswith(key, "-snippet")
}

# injectable maps the annotations whose values were pasted into nginx.conf unsanitized
# to their CVE.
injectable := {
	"auth-url": "CVE-2025-24514",
	"auth-tls-match-cn": "CVE-2025-1097",
	"mirror-target": "CVE-2025-1098",
	"mirror-host": "CVE-2025-1098",
	"permanent-redirect": "CVE-2023-5044",
}

# breaks_out is true when a value holds a character that ends an nginx directive or
# block, starts a comment, closes a quoted string or runs a command.
breaks_out(value) if regex.match("[\\n\\r;{}#'\"`]", value)

breaks_out(value) if contains(value, "$(")
