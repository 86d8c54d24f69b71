# METADATA
# title: Service whose pods accept traffic from any namespace
# description: >-
#   A Service names the pods other workloads talk to; when those pods admit connections
#   from every namespace, any pod of the cluster, a compromised one included, can reach
#   the service directly. A core/v1 Service with a selector (not ExternalName; an empty
#   selector is no selector) is reported when a workload of its namespace in the scanned
#   set whose pod template labels its selector matches is either not isolated for
#   ingress (no Kubernetes NetworkPolicy of the namespace selects it with effective
#   policyTypes including Ingress), runs on the host network (which NetworkPolicy does
#   not govern), or is selected by a policy with an ingress rule that admits every
#   namespace (no from, or a peer with namespaceSelector {}, whatever its podSelector:
#   pod labels are chosen by whoever runs pods) on a port the Service targets. Ports
#   match when the rule lists no ports, or an entry of the Service port's protocol
#   (default TCP) without a port, or with the targetPort's number (a named targetPort
#   resolved against the pods' container ports of that name and protocol, within endPort
#   ranges), or with its name (a numeric targetPort named by the container port of that
#   number). ipBlock peers are not taken to admit pods, and Services without ports are
#   judged on isolation only. The rule only knows the objects it is given.
# scope: package
# custom:
#   id: RF-NET-025
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   inventory: true
#   sync:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: v1, kind: Pod}
#     - {apiVersion: v1, kind: PodTemplate}
#     - {apiVersion: v1, kind: ReplicationController}
#     - {apiVersion: apps/v1, kind: Deployment}
#     - {apiVersion: apps/v1, kind: StatefulSet}
#     - {apiVersion: apps/v1, kind: DaemonSet}
#     - {apiVersion: apps/v1, kind: ReplicaSet}
#     - {apiVersion: extensions/v1beta1, kind: Deployment}
#     - {apiVersion: extensions/v1beta1, kind: DaemonSet}
#     - {apiVersion: extensions/v1beta1, kind: ReplicaSet}
#     - {apiVersion: batch/v1, kind: Job}
#     - {apiVersion: batch/v1, kind: CronJob}
#   remediation: >-
#     Select the Service's pods with a NetworkPolicy (after a default-deny ingress policy
#     in the namespace) whose ingress rules name the client namespaces and pods
#     (namespaceSelector with labels, such as kubernetes.io/metadata.name, ANDed with a
#     podSelector) and the ports the Service targets.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
#     - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
#   parameters: []
package ringfence.rules.network.service_open_to_all_namespaces

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.service

deny contains {"msg": msg, "field": "spec.selector"} if {
	core.kind == "Service"
	open := {cluster.display(w.object) |
		some w in backends
		not cluster.host_network(w.spec)
		count(cluster.isolating(core.namespace, w.labels, "Ingress")) == 0
	}
	count(open) > 0
	msg := sprintf(
		"%s: the pods it selects (%s) are isolated for ingress by no NetworkPolicy in the scanned set, so they accept traffic from any namespace",
		[core.display, listing(open)],
	)
}

deny contains {"msg": msg, "field": "spec.selector"} if {
	core.kind == "Service"
	host := {cluster.display(w.object) |
		some w in backends
		cluster.host_network(w.spec)
	}
	count(host) > 0
	msg := sprintf(
		"%s: the pods it selects (%s) run on the host network, which NetworkPolicy cannot isolate, so they accept traffic from any namespace",
		[core.display, listing(host)],
	)
}

deny contains {"msg": msg, "field": sprintf("spec.ports[%d]", [sp.index])} if {
	core.kind == "Service"
	count(open_rules) > 0
	some sp in service_ports
	admitted := {[cluster.display(o.workload.object), sprintf("ingress rule %d of %s", [o.index, cluster.display(o.policy)])] |
		some o in open_rules
		admits_port(o.rule, sp, o.workload.spec)
	}
	count(admitted) > 0
	msg := sprintf(
		"%s: port %s leads to pods (%s) admitted from any namespace by %s in the scanned set",
		[core.display, port_name(sp.port, sp.target), listing({a[0] | some a in admitted}), listing({a[1] | some a in admitted})],
	)
}

# open_rules holds the ingress rules that admit every namespace, of the policies that
# isolate a backend (a host-network backend has none): {"workload": <backend>, "policy":
# <NetworkPolicy>, "rule": <rule>, "index": 0}. Ports are matched only against these.
open_rules contains {"workload": w, "policy": p, "rule": r.rule, "index": r.index} if {
	some w in backends
	not cluster.host_network(w.spec)
	some p in cluster.isolating(core.namespace, w.labels, "Ingress")
	some r in netpol.rules(p, "ingress")
	admits_all_namespaces(r.rule)
}

# pod_selector is the Service's spec.selector when it selects pods: a non-empty object of
# strings. Undefined for ExternalName Services and Services without a selector, whose
# endpoints are not managed from pod labels.
pod_selector := s if {
	service.is_service
	service.type != "ExternalName"
	s := service.spec.selector
	is_object(s)
	count(s) > 0
	every k, v in s {
		is_string(k)
		is_string(v)
	}
}

# backends holds the view (cluster.workloads) of the workloads of the Service's namespace
# whose pod template labels the selector matches.
backends contains w if {
	some w in cluster.selected_workloads(core.namespace, pod_selector)
}

# service_ports holds the Service's ports: {"index": 0, "port": 80, "protocol": "TCP",
# "target": 8080 or "http"}. targetPort defaults to port.
service_ports contains {"index": p.index, "port": p.port.port, "protocol": cluster.protocol(p.port), "target": target_port(p.port)} if {
	pod_selector
	some p in service.ports
	is_number(p.port.port)
}

target_port(p) := p.targetPort if {
	is_number(p.targetPort)
	p.targetPort > 0
} else := p.targetPort if {
	is_string(p.targetPort)
	p.targetPort != ""
} else := p.port

# port_name names a Service port for messages: "80", or "80 (targetPort 8080)".
port_name(port, target) := sprintf("%v", [port]) if port == target

else := sprintf("%v (targetPort %v)", [port, target]) if is_number(target)

else := sprintf("%v (targetPort %q)", [port, target])

# admits_all_namespaces is true for an ingress rule that admits sources in every
# namespace: it has no from, or a peer whose namespaceSelector is empty.
admits_all_namespaces(rule) if netpol.no_peers(rule, "from")

admits_all_namespaces(rule) if {
	some entry in netpol.peers(rule, "from")
	netpol.all_namespaces(entry.peer)
}

# admits_port is true when the rule admits traffic to the Service port sp on pods with
# this spec.
admits_port(rule, _, _) if netpol.all_ports(rule)

admits_port(rule, sp, spec) if {
	is_array(rule.ports)
	some entry in rule.ports
	netpol.port_protocol(entry) == sp.protocol
	port_matches(entry, sp, spec)
}

port_matches(entry, _, _) if {
	netpol.absent(entry, "port")
	netpol.absent(entry, "endPort")
}

port_matches(entry, sp, spec) if {
	is_number(entry.port)
	some n in cluster.target_port_numbers(sp.target, sp.protocol, spec)
	n >= entry.port
	n <= port_end(entry)
}

port_matches(entry, sp, spec) if {
	is_string(entry.port)
	netpol.absent(entry, "endPort")
	entry.port in cluster.target_port_names(sp.target, sp.protocol, spec)
}

# port_end is the last port of an entry's range: endPort, else port.
port_end(entry) := entry.endPort if {
	is_number(entry.endPort)
} else := entry.port

# listing lists up to three names, sorted, and how many more there are.
listing(names) := concat(", ", sort(names)) if {
	count(names) <= 3
} else := sprintf("%s and %d more", [concat(", ", array.slice(sort(names), 0, 3)), count(names) - 3])
