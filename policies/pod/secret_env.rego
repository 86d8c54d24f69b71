# METADATA
# title: Secret passed as an environment variable
# description: >-
#   Secrets in environment variables leak more easily than secrets in files: applications
#   log or dump their environment on errors, child processes inherit it, and it shows in
#   crash reports and debugging tools; a mounted secret volume is also updated when the
#   Secret changes, an environment variable is not. Every env entry with
#   valueFrom.secretKeyRef and every envFrom entry with secretRef is reported, in init,
#   regular and ephemeral containers.
# scope: package
# custom:
#   id: RF-POD-026
#   severity: low
#   kinds:
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
#     Mount the Secret as a volume (a secret volume, or a projected volume with the keys
#     the container needs) and have the application read the files; drop the
#     secretKeyRef and envFrom secretRef entries.
#   references:
#     - "CIS Kubernetes Benchmark 5.4.1: Prefer using secrets as files over secrets as environment variables"
#     - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
#     - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
#   parameters: []
package ringfence.rules.pod.secret_env

import data.ringfence.lib.core

# One environment variable from one key of a Secret.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	is_array(c.container.env)
	some i, env in c.container.env
	ref := env.valueFrom.secretKeyRef
	is_object(ref)
	field := sprintf("%s.env[%d].valueFrom.secretKeyRef", [c.path, i])
	msg := sprintf(
		"%s: container %q sets environment variable %q from secret %q",
		[core.display, c.name, name_of(env), name_of(ref)],
	)
}

# Every key of a Secret as environment variables.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	is_array(c.container.envFrom)
	some i, source in c.container.envFrom
	ref := source.secretRef
	is_object(ref)
	field := sprintf("%s.envFrom[%d].secretRef", [c.path, i])
	msg := sprintf(
		"%s: container %q sets environment variables from every key of secret %q (envFrom)",
		[core.display, c.name, name_of(ref)],
	)
}

# name_of is the object's name, or "<unnamed>" when it has none.
name_of(o) := o.name if {
	is_string(o.name)
	o.name != ""
} else := "<unnamed>"
