# METADATA
# title: ringfence Pod Security Standards library
# description: >-
#   The checks of the Pod Security Standards as Pod Security Admission evaluates them
#   (k8s.io/pod-security-admission), for every level and version: which checks apply at a
#   level and version, and, for each check, the fields of a pod spec that fail it. Every
#   check takes a pod spec entry of core.pod_specs ({"spec", "path", "metadata",
#   "metadata_path"}) and a minor version number, and returns a set of {"field", "msg"}.
#   Pod specs are judged as the API server stores them: a volume with no source is an
#   emptyDir, and on the host network a container port without a hostPort binds the same
#   port on the node.
# scope: package
package ringfence.lib.pss

import data.ringfence.lib.core
import data.ringfence.lib.psa

# latest_minor is the newest Kubernetes minor version whose checks are known here; "latest"
# and any newer version mean it, as upstream caps versions at its newest check.
latest_minor := 37

# checks maps each upstream check ID to its level and the first version it applies to.
checks := {
	"privileged": {"level": "baseline", "since": 0},
	"hostNamespaces": {"level": "baseline", "since": 0},
	"hostPorts": {"level": "baseline", "since": 0},
	"hostPathVolumes": {"level": "baseline", "since": 0},
	"capabilities_baseline": {"level": "baseline", "since": 0},
	"appArmorProfile": {"level": "baseline", "since": 0},
	"seLinuxOptions": {"level": "baseline", "since": 0},
	"seccompProfile_baseline": {"level": "baseline", "since": 0},
	"sysctls": {"level": "baseline", "since": 0},
	"procMount": {"level": "baseline", "since": 0},
	"windowsHostProcess": {"level": "baseline", "since": 0},
	"hostProbesAndHostLifecycle": {"level": "baseline", "since": 34},
	"restrictedVolumes": {"level": "restricted", "since": 0},
	"allowPrivilegeEscalation": {"level": "restricted", "since": 8},
	"runAsNonRoot": {"level": "restricted", "since": 0},
	"runAsUser": {"level": "restricted", "since": 23},
	"seccompProfile_restricted": {"level": "restricted", "since": 19},
	"capabilities_restricted": {"level": "restricted", "since": 22},
	"procMount_restricted": {"level": "restricted", "since": 35},
}

# overridden_by maps a baseline check to the restricted check that replaces it at the
# restricted level, from the version that check first applies.
overridden_by := {
	"hostPathVolumes": "restrictedVolumes",
	"seccompProfile_baseline": "seccompProfile_restricted",
	"capabilities_baseline": "capabilities_restricted",
	"procMount": "procMount_restricted",
}

# spans holds what checks and overridden_by define as a literal table, which the
# evaluator reads without computing anything: for each level, the checks of the standard
# at that level, each with the first and the last minor version it applies to (the last
# is latest_minor unless a restricted check replaces the check from the next version).
# harness/pss_tables_test.go proves it equal to applies at every level and version.
spans := {
	"privileged": {},
	"baseline": {
		"privileged": [0, 37],
		"hostNamespaces": [0, 37],
		"hostPorts": [0, 37],
		"hostPathVolumes": [0, 37],
		"capabilities_baseline": [0, 37],
		"appArmorProfile": [0, 37],
		"seLinuxOptions": [0, 37],
		"seccompProfile_baseline": [0, 37],
		"sysctls": [0, 37],
		"procMount": [0, 37],
		"windowsHostProcess": [0, 37],
		"hostProbesAndHostLifecycle": [34, 37],
	},
	"restricted": {
		"privileged": [0, 37],
		"hostNamespaces": [0, 37],
		"hostPorts": [0, 37],
		"appArmorProfile": [0, 37],
		"seLinuxOptions": [0, 37],
		"sysctls": [0, 37],
		"windowsHostProcess": [0, 37],
		"hostProbesAndHostLifecycle": [34, 37],
		"restrictedVolumes": [0, 37],
		"allowPrivilegeEscalation": [8, 37],
		"runAsNonRoot": [0, 37],
		"runAsUser": [23, 37],
		"seccompProfile_restricted": [19, 37],
		"capabilities_restricted": [22, 37],
		"procMount_restricted": [35, 37],
		# The baseline checks a restricted check replaces (hostPathVolumes from 1.0).
		"seccompProfile_baseline": [0, 18],
		"capabilities_baseline": [0, 21],
		"procMount": [0, 34],
	},
}

# minors maps the version settings that name a known minor version to it, as a literal
# table; minor computes the others.
minors := {
	"latest": 37,
	"v1.0": 0, "v1.1": 1, "v1.2": 2, "v1.3": 3, "v1.4": 4, "v1.5": 5, "v1.6": 6, "v1.7": 7,
	"v1.8": 8, "v1.9": 9, "v1.10": 10, "v1.11": 11, "v1.12": 12, "v1.13": 13, "v1.14": 14, "v1.15": 15,
	"v1.16": 16, "v1.17": 17, "v1.18": 18, "v1.19": 19, "v1.20": 20, "v1.21": 21, "v1.22": 22, "v1.23": 23,
	"v1.24": 24, "v1.25": 25, "v1.26": 26, "v1.27": 27, "v1.28": 28, "v1.29": 29, "v1.30": 30, "v1.31": 31,
	"v1.32": 32, "v1.33": 33, "v1.34": 34, "v1.35": 35, "v1.36": 36, "v1.37": 37,
}

# level normalises a level setting: anything but privileged, baseline or restricted is
# restricted, as Pod Security Admission reads an invalid enforce label.
level(value) := value if spans[value]

else := psa.invalid_level_fallback.enforce

# minor returns the minor version a version setting ("latest" or "v1.N") names, capped at
# latest_minor; anything else means latest, as upstream reads an invalid version label.
minor(value) := m if {
	m := minors[value]
} else := min([to_number(substring(value, 3, -1)), latest_minor]) if {
	psa.valid_version(value)
	value != "latest"
} else := latest_minor

# applies is true when check id is part of the standard at level and minor version m.
applies(id, lvl, m) if {
	info := checks[id]
	psa.level_rank[level(lvl)] >= psa.level_rank[info.level]
	m >= info.since
	not overridden(id, level(lvl), m)
}

overridden(id, "restricted", m) if m >= checks[overridden_by[id]].since

# setting reads the level or version a Pod Security Standards rule applies: Gatekeeper's
# input.parameters, else the rule's own parameters in ringfence configuration, else the
# configuration's podSecurity block, else the rule's METADATA default.
setting(chain, key) := v if {
	core.is_review
	v := input.parameters[key]
} else := v if {
	not core.is_review
	v := data.ringfence.config.parameters[core.rule_id(chain)][key]
} else := v if {
	not core.is_review
	v := data.ringfence.config.podSecurity[key]
} else := core.parameter(chain, key)

# active returns the checks of the standard at a level and version setting (any values,
# read as level and minor read them), each with the minor version to run it at. The rules
# and failing call it with the same settings, so it is computed once per object.
active(lvl, version) := {id: m |
	m := minor(version)
	some id, [first, last] in spans[level(lvl)]
	m >= first
	m <= last
}

# violations returns the findings of check id on every pod spec of the object under review
# at the level and version the calling rule is set to, as {"msg", "field"}.
violations(id, chain) := {{"msg": concat("", [core.display, ": ", v.msg]), "field": v.field} |
	m := checks_at(chain)[id]
	some ps in core.pod_specs
	some v in check(id, ps, m)
}

# enabled returns the minor version at which the calling rule runs check id, and is
# undefined when the check is not part of the standard at the rule's level and version.
enabled(id, chain) := checks_at(chain)[id]

# checks_at returns the checks of the standard at the calling rule's level and version,
# each with the minor version to run it at, as active gives them. The harness resolves
# every rule's parameters once and writes the result as
# data.ringfence.config.podSecurityChecks, keyed by check: the first branch reads it
# rather than resolving the settings on every object. Without it, under Gatekeeper and
# in the runtimes given the configuration alone, the settings are read as setting reads
# them.
checks_at(chain) := data.ringfence.config.podSecurityChecks if {
	not core.is_review
	is_object(data.ringfence.config.podSecurityChecks)
} else := active(setting(chain, "level"), setting(chain, "version"))

# failing returns the IDs of the checks a pod spec entry fails at a level and version.
failing(ps, lvl, version) := {id |
	some id, m in active(lvl, version)
	check(id, ps, m) != set()
}

# check returns the findings of check id for a pod spec entry at minor version m, a set
# of {"field", "msg"}; only the definitions for id are evaluated.

# privileged: containers must not set securityContext.privileged=true.
check("privileged", ps, _) := {v |
	some c in containers(ps)
	c.context.privileged == true
	v := {
		"field": sprintf("%s.securityContext.privileged", [c.path]),
		"msg": sprintf("container %q sets securityContext.privileged to true", [c.name]),
	}
}

# hostNamespaces: hostNetwork, hostPID and hostIPC must be unset or false.
check("hostNamespaces", ps, _) := {v |
	some name, shared in host_namespace_names
	ps.spec[name] == true
	v := {
		"field": sprintf("%s.%s", [ps.path, name]),
		"msg": sprintf("pod spec sets %s to true and shares the node's %s", [name, shared]),
	}
}

# hostPorts: see host_ports.
check("hostPorts", ps, _) := host_ports(ps)

# hostPathVolumes: no hostPath volumes.
check("hostPathVolumes", ps, _) := {v |
	some i, volume in volumes(ps)
	is_object(volume.hostPath)
	v := {
		"field": sprintf("%s.volumes[%d].hostPath", [ps.path, i]),
		"msg": host_path_message(volume),
	}
}

# capabilities_baseline: capabilities.add holds only the default set.
check("capabilities_baseline", ps, _) := {v |
	some c in containers(ps)
	some i, capability in added_capabilities(c)
	not baseline_capabilities[capability]
	v := {
		"field": sprintf("%s.securityContext.capabilities.add[%d]", [c.path, i]),
		"msg": sprintf(
			"container %q adds capability %q, which is not in the Pod Security Standards baseline set",
			[c.name, capability],
		),
	}
}

# appArmorProfile: profile types RuntimeDefault or Localhost only, on the pod and on every
# container, and the beta annotations runtime/default, localhost/* or empty.
check("appArmorProfile", ps, _) := {v |
	some x in contexts(ps)
	profile := x.context.appArmorProfile
	is_object(profile)
	not allowed_app_armor_types[object.get(profile, "type", "")]
	v := {
		"field": sprintf("%s.securityContext.appArmorProfile.type", [x.path]),
		"msg": sprintf("%s sets AppArmor profile type %q", [x.who, object.get(profile, "type", "")]),
	}
} | {v |
	some key, value in annotations(ps)
	startswith(key, app_armor_annotation_prefix)
	is_string(value)
	not allowed_app_armor_annotation(value)
	v := {
		"field": annotation_field(ps, key),
		"msg": sprintf("annotation %s sets AppArmor profile %q", [key, value]),
	}
}

# seLinuxOptions: on the pod and on every container, type only one of the container types,
# user and role unset.
check("seLinuxOptions", ps, m) := {v |
	some x in contexts(ps)
	options := x.context.seLinuxOptions
	is_object(options)
	some problem in se_linux_problems(options, m)
	v := {
		"field": sprintf("%s.securityContext.seLinuxOptions.%s", [x.path, problem.key]),
		"msg": sprintf("%s sets seLinuxOptions %s", [x.who, problem.what]),
	}
}

# seccompProfile (baseline): before 1.19 the alpha annotations, from 1.19 the fields, must
# not name a profile other than RuntimeDefault or Localhost (Unconfined is forbidden).
check("seccompProfile_baseline", ps, m) := seccomp_annotations(ps) if m < 19

else := seccomp_explicit(ps)

# sysctls: only the namespaced sysctls the standard deems safe at each version.
check("sysctls", ps, m) := {v |
	entries := pod_context(ps).sysctls
	is_array(entries)
	some i, entry in entries
	is_object(entry)
	name := object.get(entry, "name", "")
	is_string(name)
	not safe_sysctl(name, m)
	v := {
		"field": sprintf("%s.securityContext.sysctls[%d].name", [ps.path, i]),
		"msg": sprintf("pod sets sysctl %q, which is not in the safe set", [name]),
	}
}

# procMount (baseline): the Default proc mount only; pods in a user namespace are exempt
# from 1.35, when procMount_restricted takes over at the restricted level.
check("procMount", ps, m) := set() if {
	m >= 35
	ps.spec.hostUsers == false # a user namespace
} else := proc_mount(ps)

# windowsHostProcess: no Windows HostProcess pods or containers.
check("windowsHostProcess", ps, _) := {v |
	some x in contexts(ps)
	x.context.windowsOptions.hostProcess == true
	v := {
		"field": sprintf("%s.securityContext.windowsOptions.hostProcess", [x.path]),
		"msg": sprintf("%s sets windowsOptions.hostProcess to true and runs on the Windows host", [x.who]),
	}
}

# hostProbesAndHostLifecycle (from 1.34): probes and lifecycle hooks must not name a host,
# which would let the kubelet reach any address for the pod.
check("hostProbesAndHostLifecycle", ps, _) := {v |
	some c in containers(ps)
	some handler in handlers(c.container)
	some action in ["httpGet", "tcpSocket"]
	host := handler.value[action].host
	is_string(host)
	host != ""
	v := {
		"field": sprintf("%s.%s.%s.host", [c.path, handler.path, action]),
		"msg": sprintf("container %q %s sends %s to host %q", [c.name, handler.what, action, host]),
	}
}

# restrictedVolumes: only the volume types the standard allows. A volume with no source
# at all becomes an emptyDir when the API server stores it.
check("restrictedVolumes", ps, _) := {v |
	some i, volume in volumes(ps)
	is_object(volume)
	not has_source(volume, allowed_volume_sources)
	some source, value in volume
	restricted_volume_sources[source]
	value != null
	v := {
		"field": sprintf("%s.volumes[%d].%s", [ps.path, i, source]),
		"msg": sprintf("volume %q uses the restricted volume type %s", [volume_name(volume), source]),
	}
}

# allowPrivilegeEscalation (from 1.8): every container sets it to false; Windows pods are
# exempt from 1.25.
check("allowPrivilegeEscalation", ps, m) := set() if {
	m >= 25
	core.windows(ps.spec)
} else := {v |
	some c in containers(ps)
	not c.context.allowPrivilegeEscalation == false
	v := {
		"field": sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]),
		"msg": escalation_message(c),
	}
}

# runAsNonRoot: the pod or every container sets runAsNonRoot to true, and none sets it to
# false; pods in a user namespace are exempt from 1.35.
check("runAsNonRoot", ps, m) := set() if {
	m >= 35
	ps.spec.hostUsers == false # a user namespace
} else := {v |
	some x in contexts(ps)
	x.context.runAsNonRoot == false
	v := {
		"field": sprintf("%s.securityContext.runAsNonRoot", [x.path]),
		"msg": sprintf("%s sets securityContext.runAsNonRoot to false", [x.who]),
	}
} | {v |
	not pod_context(ps).runAsNonRoot == true
	some c in containers(ps)
	not c.context.runAsNonRoot == true
	not c.context.runAsNonRoot == false
	v := {
		"field": sprintf("%s.securityContext.runAsNonRoot", [c.path]),
		"msg": sprintf("container %q may run as root: neither it nor the pod sets securityContext.runAsNonRoot to true", [c.name]),
	}
}

# runAsUser (from 1.23): neither the pod nor a container runs as UID 0; pods in a user
# namespace are exempt from 1.35.
check("runAsUser", ps, m) := set() if {
	m >= 35
	ps.spec.hostUsers == false # a user namespace
} else := {v |
	some x in contexts(ps)
	x.context.runAsUser == 0
	v := {
		"field": sprintf("%s.securityContext.runAsUser", [x.path]),
		"msg": sprintf("%s sets securityContext.runAsUser to 0 (root)", [x.who]),
	}
}

# seccompProfile (restricted): every container runs RuntimeDefault or Localhost, set on
# the container or the pod; Windows pods are exempt from 1.25.
check("seccompProfile_restricted", ps, m) := set() if {
	m >= 25
	core.windows(ps.spec)
} else := seccomp_explicit(ps) | {v |
	not pod_seccomp_valid(ps)
	some c in containers(ps)
	not is_object(object.get(c.context, "seccompProfile", null))
	v := {
		"field": sprintf("%s.securityContext.seccompProfile", [c.path]),
		"msg": sprintf("container %q has no seccomp profile: neither it nor the pod sets RuntimeDefault or Localhost", [c.name]),
	}
}

# capabilities (restricted, from 1.22): every container drops ALL and adds at most
# NET_BIND_SERVICE; Windows pods are exempt from 1.25.
check("capabilities_restricted", ps, m) := set() if {
	m >= 25
	core.windows(ps.spec)
} else := {v |
	some c in containers(ps)
	not drops_all(c)
	v := {
		"field": sprintf("%s.securityContext.capabilities.drop", [c.path]),
		"msg": sprintf("container %q does not drop ALL capabilities", [c.name]),
	}
} | {v |
	some c in containers(ps)
	some i, capability in added_capabilities(c)
	capability != "NET_BIND_SERVICE"
	v := {
		"field": sprintf("%s.securityContext.capabilities.add[%d]", [c.path, i]),
		"msg": sprintf("container %q adds capability %q; the restricted standard allows only NET_BIND_SERVICE", [c.name, capability]),
	}
}

# procMount_restricted (from 1.35): the Default proc mount only, user namespace or not.
check("procMount_restricted", ps, _) := proc_mount(ps)

# containers lists the containers of a pod spec entry, init, regular and ephemeral, with
# their full path, their securityContext ({} when unset) and, as who, how messages name
# them.
containers(ps) := [c |
	some field in core.container_fields
	is_array(ps.spec[field])
	some i, ctr in ps.spec[field]
	is_object(ctr)
	name := core.container_name(ctr)
	c := {
		"container": ctr,
		"name": name,
		"raw_name": object.get(ctr, "name", ""),
		"field": field,
		"path": sprintf("%s.%s[%d]", [ps.path, field, i]),
		"context": core.object_or_empty(object.get(ctr, "securityContext", {})),
		"who": sprintf("container %q", [name]),
	}
]

# pod_context is the pod-level securityContext of a pod spec ({} when unset).
pod_context(ps) := core.object_or_empty(object.get(ps.spec, "securityContext", {}))

# contexts lists the securityContexts of a pod spec entry, the pod's and every
# container's, for the checks that read a field in both: {"context", "path", "who"}.
contexts(ps) := array.concat([{"context": pod_context(ps), "path": ps.path, "who": "pod"}], containers(ps))

# pod_seccomp_valid tests a field inside a function: a negated reference with a missing
# field as its key ("not s[x.missing]") is undefined in Rego, not true, and so is a
# negated built-in call on a missing field ("not is_object(x.missing)").
pod_seccomp_valid(ps) if valid_seccomp_types[pod_context(ps).seccompProfile.type]

annotation_field(ps, key) := sprintf("%s.annotations[%q]", [ps.metadata_path, key])

annotations(ps) := a if {
	a := ps.metadata.annotations
	is_object(a)
} else := {}

host_namespace_names := {
	"hostNetwork": "network namespace",
	"hostPID": "process ID namespace",
	"hostIPC": "IPC namespace",
}

# host_ports is the hostPorts check, with the port of each finding: no container port may
# bind a host port; on the host network the API server defaults hostPort to containerPort
# for regular and init containers.
host_ports(ps) := {v |
	some c in containers(ps)
	some i, port in ports(c.container)
	is_number(port.hostPort)
	port.hostPort != 0
	v := {
		"field": sprintf("%s.ports[%d].hostPort", [c.path, i]),
		"msg": sprintf("container %q binds host port %v/%s on the node", [c.name, port.hostPort, protocol(port)]),
		"port": port.hostPort,
	}
} | {v |
	ps.spec.hostNetwork == true
	some c in containers(ps)
	c.field != "ephemeralContainers"
	some i, port in ports(c.container)
	object.get(port, "hostPort", 0) in {0, null}
	is_number(port.containerPort)
	port.containerPort != 0
	v := {
		"field": sprintf("%s.ports[%d].containerPort", [c.path, i]),
		"msg": sprintf(
			"container %q binds host port %v/%s on the node (on the host network hostPort defaults to containerPort)",
			[c.name, port.containerPort, protocol(port)],
		),
		"port": port.containerPort,
	}
}

ports(ctr) := [p | some p in ctr.ports; is_object(p)] if is_array(ctr.ports)

else := []

protocol(port) := port.protocol if {
	is_string(port.protocol)
	port.protocol != ""
} else := "TCP"

host_path_message(volume) := sprintf("volume %q mounts host path %q", [volume_name(volume), volume.hostPath.path]) if {
	is_string(volume.hostPath.path)
} else := sprintf("volume %q is a hostPath volume without a path", [volume_name(volume)])

volumes(ps) := ps.spec.volumes if is_array(ps.spec.volumes)

else := []

volume_name(volume) := volume.name if is_string(volume.name)

else := "<unnamed>"

baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# added_capabilities maps the index of each capability a container adds to its name.
added_capabilities(c) := {i: x | some i, x in c.context.capabilities.add; is_string(x)} if {
	is_array(c.context.capabilities.add)
} else := {}

allowed_app_armor_types := {"RuntimeDefault", "Localhost"}

app_armor_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

allowed_app_armor_annotation("")

allowed_app_armor_annotation("runtime/default")

allowed_app_armor_annotation(value) if startswith(value, "localhost/")

se_linux_types(m) := {"", "container_t", "container_init_t", "container_kvm_t"} if m < 31

else := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

se_linux_problems(options, m) := {p |
	some key in ["type", "user", "role"]
	value := object.get(options, key, "")
	is_string(value)
	problem_value(key, value, m)
	p := {"key": key, "what": sprintf("%s %q", [key, value])}
}

problem_value("type", value, m) if not se_linux_types(m)[value]

problem_value(key, value, _) if {
	key in {"user", "role"}
	value != ""
}

seccomp_pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

seccomp_container_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

seccomp_annotations(ps) := {v |
	some key in seccomp_annotation_keys(ps)
	value := annotations(ps)[key]
	is_string(value)
	not valid_seccomp_annotation(value)
	v := {
		"field": annotation_field(ps, key),
		"msg": sprintf("annotation %s sets seccomp profile %q", [key, value]),
	}
}

# seccomp_annotation_keys are the pod annotation and one per container the check reads.
seccomp_annotation_keys(ps) := {seccomp_pod_annotation} | {concat("", [seccomp_container_annotation_prefix, c.raw_name]) |
	some c in containers(ps)
	is_string(c.raw_name)
}

valid_seccomp_annotation("runtime/default")

valid_seccomp_annotation("docker/default")

valid_seccomp_annotation(value) if startswith(value, "localhost/")

valid_seccomp_types := {"RuntimeDefault", "Localhost"}

# seccomp_explicit: the pod and every container that set a seccomp profile set
# RuntimeDefault or Localhost.
seccomp_explicit(ps) := {v |
	some x in contexts(ps)
	profile := x.context.seccompProfile
	is_object(profile)
	not valid_seccomp_types[object.get(profile, "type", "")]
	v := {
		"field": sprintf("%s.securityContext.seccompProfile.type", [x.path]),
		"msg": sprintf("%s sets seccomp profile type %q", [x.who, object.get(profile, "type", "")]),
	}
}

safe_sysctls := {
	0: {
		"kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range",
		"net.ipv4.ip_unprivileged_port_start",
	},
	27: {"net.ipv4.ip_local_reserved_ports"},
	29: {
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
	},
	32: {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"},
	37: {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"},
}

safe_sysctl(name, m) if {
	some since, names in safe_sysctls
	m >= since
	names[name]
}

# proc_mount: containers use the Default proc mount.
proc_mount(ps) := {v |
	some c in containers(ps)
	value := c.context.procMount
	is_string(value)
	value != "Default"
	v := {
		"field": sprintf("%s.securityContext.procMount", [c.path]),
		"msg": sprintf("container %q sets procMount %q", [c.name, value]),
	}
}

handlers(ctr) := {h |
	some probe in ["livenessProbe", "readinessProbe", "startupProbe"]
	is_object(ctr[probe])
	h := {"value": ctr[probe], "path": probe, "what": probe}
} | {h |
	some hook in ["postStart", "preStop"]
	is_object(ctr.lifecycle[hook])
	h := {"value": ctr.lifecycle[hook], "path": sprintf("lifecycle.%s", [hook]), "what": sprintf("%s hook", [hook])}
}

allowed_volume_sources := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

restricted_volume_sources := {
	"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
	"glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
	"vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
	"scaleIO", "storageos",
}

# has_source is true when a volume (an object) sets one of sources to a value (a key with
# null is unset, as in Go).
has_source(volume, sources) if {
	some source, value in volume
	sources[source]
	value != null
}

escalation_message(c) := sprintf("container %q sets securityContext.allowPrivilegeEscalation to true", [c.name]) if {
	c.context.allowPrivilegeEscalation == true
} else := sprintf("container %q does not set securityContext.allowPrivilegeEscalation to false", [c.name])

drops_all(c) if {
	is_array(c.context.capabilities.drop)
	"ALL" in c.context.capabilities.drop
}
