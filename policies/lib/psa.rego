# METADATA
# title: ringfence Pod Security Admission library
# description: >-
#   The pod-security.kubernetes.io namespace labels as the Pod Security Admission
#   controller reads them (k8s.io/pod-security-admission v0.37.2): label keys, levels and
#   versions as upstream parses them, and the policy (level and version of the enforce,
#   audit and warn modes) that upstream evaluates for a namespace's labels.
# scope: package
package ringfence.lib.psa

# label_prefix starts every Pod Security Admission label key.
label_prefix := "pod-security.kubernetes.io/"

# enforce_label holds the level whose violations reject a pod.
enforce_label := "pod-security.kubernetes.io/enforce"

# enforce_version_label holds the version of the enforce level's checks.
enforce_version_label := "pod-security.kubernetes.io/enforce-version"

# audit_label holds the level whose violations add an audit annotation.
audit_label := "pod-security.kubernetes.io/audit"

# audit_version_label holds the version of the audit level's checks.
audit_version_label := "pod-security.kubernetes.io/audit-version"

# warn_label holds the level whose violations return a warning to the client.
warn_label := "pod-security.kubernetes.io/warn"

# warn_version_label holds the version of the warn level's checks.
warn_version_label := "pod-security.kubernetes.io/warn-version"

# modes are the three Pod Security Admission modes.
modes := {"enforce", "audit", "warn"}

# level_label maps each mode to the key of its level label.
level_label := {
	"enforce": "pod-security.kubernetes.io/enforce",
	"audit": "pod-security.kubernetes.io/audit",
	"warn": "pod-security.kubernetes.io/warn",
}

# version_label maps each mode to the key of its version label.
version_label := {
	"enforce": "pod-security.kubernetes.io/enforce-version",
	"audit": "pod-security.kubernetes.io/audit-version",
	"warn": "pod-security.kubernetes.io/warn-version",
}

# level_mode and version_mode map the key of each level label and of each version label
# to its mode: level_label and version_label the other way round.
level_mode := {
	"pod-security.kubernetes.io/enforce": "enforce",
	"pod-security.kubernetes.io/audit": "audit",
	"pod-security.kubernetes.io/warn": "warn",
}

version_mode := {
	"pod-security.kubernetes.io/enforce-version": "enforce",
	"pod-security.kubernetes.io/audit-version": "audit",
	"pod-security.kubernetes.io/warn-version": "warn",
}

# known_labels is the set of the six label keys Pod Security Admission reads; other keys
# under label_prefix are ignored by it.
known_labels := {
	"pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version",
	"pod-security.kubernetes.io/audit", "pod-security.kubernetes.io/audit-version",
	"pod-security.kubernetes.io/warn", "pod-security.kubernetes.io/warn-version",
}

# level_rank orders the levels by strictness.
level_rank := {"privileged": 0, "baseline": 1, "restricted": 2}

# invalid_level_fallback is the level upstream uses, per mode, when a level label is set
# to something it cannot parse: enforce fails closed, audit and warn fail open.
invalid_level_fallback := {"enforce": "restricted", "audit": "privileged", "warn": "privileged"}

# invalid_version_fallback is the version upstream uses when a version label is set to
# something it cannot parse.
invalid_version_fallback := "latest"

# cluster_defaults is the policy the API server applies to namespaces without labels when
# its AdmissionConfiguration sets no other defaults: privileged, latest, for every mode.
cluster_defaults := {
	"enforce": {"level": "privileged", "version": "latest"},
	"audit": {"level": "privileged", "version": "latest"},
	"warn": {"level": "privileged", "version": "latest"},
}

# valid_level is true for the values upstream ParseLevel accepts: privileged, baseline,
# restricted (case-sensitive, no surrounding space).
valid_level(v) if {
	is_string(v)
	is_number(level_rank[v])
}

# valid_version is true for the values upstream ParseVersion accepts: "latest", or "v1."
# followed by a minor version without leading zeros that fits in a Go int (64 bits).
valid_version(v) if v == "latest"

valid_version(v) if {
	is_string(v)
	regex.match(`^v1\.([0-9]|[1-9][0-9]*)$`, v)
	fits_int64(substring(v, 3, -1))
}

# fits_int64 is true when a string of decimal digits without leading zeros is at most
# 9223372036854775807, the largest value strconv.Atoi returns without an error.
fits_int64(digits) if count(digits) < 19

fits_int64(digits) if {
	count(digits) == 19
	digits <= "9223372036854775807"
}

# has_label is true when labels (an object) has the key, whatever its value.
has_label(labels, key) if {
	is_object(labels)
	_ = labels[key]
}

# compare_levels compares two levels by strictness as upstream CompareLevels does: 0 when
# equal, -1 when a is less strict than b, 1 when a is stricter.
compare_levels(a, b) := 0 if {
	a == b
} else := -1 if {
	a == "privileged"
} else := 1 if {
	a == "restricted"
} else := 1 if {
	b == "privileged"
} else := -1 if {
	b == "restricted"
} else := 0

# policy is the policy upstream PolicyToEvaluate computes from a namespace's labels and
# the defaults (same shape as the result, usually cluster_defaults):
# {"enforce": {"level": L, "version": V}, "audit": {...}, "warn": {...}}, versions as
# strings ("latest" or "v1.N"). A mode's label that is absent leaves its default; a level
# label upstream cannot parse means restricted for enforce and privileged for audit and
# warn, a version label it cannot parse means latest. Without a warn label, a valid enforce
# label stricter than the default warn level sets the warn level, and, without a
# warn-version label, the warn version too. Labels that are not an object count as none.
policy(labels, defaults) := {"enforce": enforce, "audit": audit, "warn": warn} if {
	ls := label_object(labels)
	enforce := {
		"level": mode_level(ls, "enforce", defaults.enforce.level),
		"version": mode_version(ls, "enforce", defaults.enforce.version),
	}
	audit := {
		"level": mode_level(ls, "audit", defaults.audit.level),
		"version": mode_version(ls, "audit", defaults.audit.version),
	}
	warn := warn_policy(ls, defaults.warn, enforce)
}

label_object(labels) := labels if {
	is_object(labels)
} else := {}

# mode_level is the level of a mode: its label's value when valid, the mode's fallback
# when the label is present but invalid, else the default.
mode_level(labels, mode, default_level) := v if {
	v := labels[level_label[mode]]
	valid_level(v)
} else := invalid_level_fallback[mode] if {
	has_label(labels, level_label[mode])
} else := default_level

# mode_version is the version of a mode: its label's value when valid, latest when the
# label is present but invalid, else the default.
mode_version(labels, mode, default_version) := v if {
	v := labels[version_label[mode]]
	valid_version(v)
} else := invalid_version_fallback if {
	has_label(labels, version_label[mode])
} else := default_version

# warn_inherits_enforce is true when upstream defaults the warn level to the enforce
# level: no warn label, a valid enforce label, and enforce stricter than the default warn.
warn_inherits_enforce(labels, default_warn_level) if {
	not has_label(labels, warn_label)
	valid_level(labels[enforce_label])
	compare_levels(labels[enforce_label], default_warn_level) > 0
}

warn_policy(labels, default_warn, enforce) := {
	"level": enforce.level,
	"version": mode_version(labels, "warn", enforce.version),
} if {
	warn_inherits_enforce(labels, default_warn.level)
} else := {
	"level": mode_level(labels, "warn", default_warn.level),
	"version": mode_version(labels, "warn", default_warn.version),
}
