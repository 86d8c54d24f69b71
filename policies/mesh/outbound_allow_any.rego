# METADATA
# title: Istio outbound traffic not restricted to the service registry
# description: >-
#   With outboundTrafficPolicy mode ALLOW_ANY, Istio's sidecars pass traffic to hosts
#   they do not know through to its destination, so a compromised workload can reach any
#   address outside the mesh and exfiltrate data without a ServiceEntry, an egress
#   gateway or a policy ever seeing the host; REGISTRY_ONLY sends such traffic to a
#   black hole. ALLOW_ANY is the mesh default: the rule reports an IstioOperator
#   (install.istio.io/v1alpha1) whose spec.meshConfig.outboundTrafficPolicy.mode is
#   ALLOW_ANY or unset (except installs with profile empty that do not enable istiod),
#   the mesh ConfigMap of istiod (named istio, or istio-<revision>, in the root_namespace
#   parameter's namespace, with a data.mesh key) whose mesh configuration leaves the mode
#   unset or sets ALLOW_ANY (the enum number 1 as well), and a Sidecar (networking.istio.io
#   v1, v1beta1 or v1alpha3) that sets spec.outboundTrafficPolicy.mode to ALLOW_ANY for
#   its workloads, even with an egressProxy, which still forwards every unknown host. A
#   mesh configuration that is not valid YAML is left to istiod, which rejects it.
# scope: package
# custom:
#   id: RF-MESH-008
#   severity: medium
#   kinds:
#     - {apiVersion: networking.istio.io/v1, kind: Sidecar}
#     - {apiVersion: networking.istio.io/v1beta1, kind: Sidecar}
#     - {apiVersion: networking.istio.io/v1alpha3, kind: Sidecar}
#     - {apiVersion: install.istio.io/v1alpha1, kind: IstioOperator}
#     - {apiVersion: v1, kind: ConfigMap}
#   remediation: >-
#     Set meshConfig.outboundTrafficPolicy.mode to REGISTRY_ONLY (istioctl install --set
#     meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY, or the istiod chart's
#     meshConfig value), declare the external hosts workloads need as ServiceEntries
#     (ideally routed through an egress gateway), and remove ALLOW_ANY from Sidecars.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode
#     - https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
#     - https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
#     - https://istio.io/latest/docs/ops/best-practices/security/#understand-traffic-capture-limitations
#   parameters:
#     - name: root_namespace
#       type: string
#       default: istio-system
#       description: the namespace of istiod and its mesh ConfigMap (Istio's root namespace, istio-system)
package ringfence.rules.mesh.outbound_allow_any

import data.ringfence.lib.core

deny contains {"msg": msg, "field": "spec.outboundTrafficPolicy.mode"} if {
	core.kind == "Sidecar"
	core.group == "networking.istio.io"
	allow_any(core.resource.spec.outboundTrafficPolicy.mode)
	msg := sprintf("%s: spec.outboundTrafficPolicy.mode is ALLOW_ANY, so its workloads reach any host outside the service registry", [core.display])
}

deny contains {"msg": msg, "field": "spec.meshConfig.outboundTrafficPolicy.mode"} if {
	core.kind == "IstioOperator"
	core.api_version == "install.istio.io/v1alpha1"
	is_object(core.resource.spec)
	installs_istiod
	config := mesh_config(object.get(core.resource.spec, "meshConfig", null))
	how := mode_problem(config)
	msg := sprintf("%s: spec.meshConfig.outboundTrafficPolicy.mode %s, so workloads reach any host outside the service registry", [core.display, how])
}

deny contains {"msg": msg, "field": "data.mesh"} if {
	core.kind == "ConfigMap"

	# Mesh configuration ConfigMaps are named istio or istio-<revision>: a cheap test
	# that skips every other ConfigMap.
	startswith(core.name, "istio")
	mesh_configmap_name(core.name)
	core.api_version == "v1"
	core.namespace == core.parameter(rego.metadata.chain(), "root_namespace")
	mesh := core.resource.data.mesh
	is_string(mesh)
	yaml.is_valid(mesh)
	config := mesh_config(yaml.unmarshal(mesh))
	how := mode_problem(config)
	msg := sprintf("%s: the mesh configuration's outboundTrafficPolicy.mode %s, so workloads reach any host outside the service registry", [core.display, how])
}

allow_any(mode) if mode == "ALLOW_ANY"

allow_any(mode) if mode == 1

# mode_problem says what is wrong with a MeshConfig's outbound traffic mode: set to
# ALLOW_ANY, or unset (ALLOW_ANY by default). Undefined for a config that is not an
# object and for other modes.
mode_problem(config) := "is ALLOW_ANY" if {
	allow_any(config.outboundTrafficPolicy.mode)
} else := "is unset (ALLOW_ANY by default)" if {
	unset_mode(config)
}

# unset_mode is true for a MeshConfig object without outboundTrafficPolicy, or whose
# outboundTrafficPolicy object has no mode (both null when empty).
unset_mode(config) if {
	is_object(config)
	object.get(config, "outboundTrafficPolicy", null) == null
}

unset_mode(config) if {
	is_object(config.outboundTrafficPolicy)
	object.get(config.outboundTrafficPolicy, "mode", null) == null
}

# mesh_config is a mesh configuration object; null (absent, or empty YAML) is an empty
# configuration, and other values none.
mesh_config(parsed) := parsed if is_object(parsed)

else := {} if is_null(parsed)

# mesh_configmap_name matches istio and istio-<revision>.
mesh_configmap_name(name) if name == "istio"

mesh_configmap_name(name) if startswith(name, "istio-")

# installs_istiod is false for an IstioOperator with profile empty that does not enable
# pilot: such overlays install gateways or other parts, not the mesh configuration.
installs_istiod if not core.resource.spec.profile == "empty"

installs_istiod if core.resource.spec.components.pilot.enabled == true
