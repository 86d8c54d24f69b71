# METADATA
# title: Istio AuthorizationPolicy CUSTOM without a provider
# description: >-
#   An AuthorizationPolicy with action CUSTOM delegates the decision to an external
#   authorizer named in spec.provider.name, which must be one of the extensionProviders of
#   the mesh configuration. Without a provider name the policy delegates to nothing: Istio's
#   validation rejects it where the webhook runs, and a proxy that receives it anyway
#   cannot enforce it, so the requests it was meant to check are not checked by it. A
#   provider that is not a non-empty string counts as none. Both security.istio.io/v1 and
#   v1beta1 are read.
# scope: package
# custom:
#   id: RF-MESH-004
#   severity: medium
#   kinds:
#     - {apiVersion: security.istio.io/v1, kind: AuthorizationPolicy}
#     - {apiVersion: security.istio.io/v1beta1, kind: AuthorizationPolicy}
#   remediation: >-
#     Set spec.provider.name to the extension provider (meshConfig.extensionProviders)
#     that should decide, or use action ALLOW or DENY with rules instead.
#   references:
#     - https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-ExtensionProvider
#     - https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
#   parameters: []
package ringfence.rules.mesh.authorization_custom_provider

import data.ringfence.lib.core

deny contains {"msg": msg, "field": "spec.provider.name"} if {
	core.kind == "AuthorizationPolicy"
	core.group == "security.istio.io"
	core.resource.spec.action == "CUSTOM"
	not has_provider(core.resource.spec)
	msg := sprintf("%s: action is CUSTOM but spec.provider.name names no extension provider, so no authorizer decides", [core.display])
}

has_provider(spec) if {
	is_string(spec.provider.name)
	spec.provider.name != ""
}
