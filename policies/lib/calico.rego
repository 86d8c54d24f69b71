# METADATA
# title: ringfence Calico library
# description: >-
#   Calico policy semantics (projectcalico.org/v3 and crd.projectcalico.org/v1): the
#   selector language of spec.selector, namespaceSelector and rule selectors, evaluated
#   without recursion, and the fields of NetworkPolicy, GlobalNetworkPolicy and Tier with
#   Calico's defaults. Every value is safe on objects of any shape; a selector Calico would
#   reject matches nothing.
# scope: package
package ringfence.lib.calico

import data.ringfence.lib.core
import data.ringfence.lib.inventory

# groups are the API groups that serve Calico's policy kinds: the v3 API server's and the
# CRDs' that back it (the same spec shape).
groups := {"projectcalico.org", "crd.projectcalico.org"}

# all_groups adds the operator's group: any of them in a set means Calico is installed.
all_groups := groups | {"operator.tigera.io"}

policy_kinds := {"NetworkPolicy", "GlobalNetworkPolicy"}

api_group(api_version) := parts[0] if {
	is_string(api_version)
	parts := split(api_version, "/")
	count(parts) == 2
}

# is_policy is true for a Calico NetworkPolicy or GlobalNetworkPolicy.
is_policy(obj) if {
	is_object(obj)
	obj.kind in policy_kinds
	api_group(obj.apiVersion) in groups
}

# reviewed is true when the object under review is a Calico NetworkPolicy or
# GlobalNetworkPolicy. Several rules ask for every object of those kind names, and a
# rule, unlike a function, remembers within an evaluation that the answer is no.
# It is is_policy(core.resource), read from the object's kind and group as core has them.
reviewed if {
	core.kind in policy_kinds
	core.group in groups
}

is_global(obj) if {
	is_policy(obj)
	obj.kind == "GlobalNetworkPolicy"
}

is_tier(obj) if {
	is_object(obj)
	obj.kind == "Tier"
	api_group(obj.apiVersion) in groups
}

# ---------------------------------------------------------------------------------------
# Selectors (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors)
#
# A selector is checked in three steps, none recursive:
#  1. atoms (has(k), all(), global(), k == "v", k != "v", k in {...}, k not in {...},
#     k contains "s", k starts with "s", k ends with "s") are found left to right with
#     regex.find_n; the text between them (regex.split) may hold only whitespace, !, &&,
#     ||, ( and );
#  2. each atom is evaluated and replaced by T or F, giving a boolean skeleton such as
#     "!(T||F)&&T";
#  3. the skeleton is reduced by a fixed number of rewriting passes, each of which
#     rewrites only well-formed subexpressions whose operands are literals, respecting
#     precedence (! binds tightest, then &&, then ||): !!x -> x, !T -> F, lit&&lit unless
#     the left literal is negated, lit||lit only when neither side touches && or !,
#     (lit) -> lit. A well-formed selector reduces to a single T or F; anything else
#     (unbalanced parentheses, dangling or doubled operators, adjacent atoms) never does
#     and is invalid.
# ---------------------------------------------------------------------------------------

key_re := `[a-zA-Z0-9_./-]+`

str_re := `"[^"]*"|'[^']*'`

has_re := sprintf(`has\(\s*%s\s*\)`, [key_re])

fn_re := `(?:all|global)\(\s*\)`

cmp_re := sprintf(`%s\s*(?:==|!=)\s*(?:%s)`, [key_re, str_re])

set_re := sprintf(`\{\s*(?:(?:%s)(?:\s*,\s*(?:%s))*)?\s*\}`, [str_re, str_re])

in_re := sprintf(`%s\s+(?:not\s+)?in\s*%s`, [key_re, set_re])

strop_re := sprintf(`%s\s+(?:contains|starts\s+with|ends\s+with)\s*(?:%s)`, [key_re, str_re])

atom_re := concat("|", [has_re, fn_re, in_re, cmp_re, strop_re])

# text outside atoms may hold only these characters
separator_re := `^[\s!&|()]*$`

# normalized is the selector with surrounding whitespace removed; undefined for non-strings.
normalized(sel) := trim_space(sel) if is_string(sel)

# empty is true for the empty selector, which Calico treats as all().
empty(sel) if normalized(sel) == ""

atoms(sel) := regex.find_n(atom_re, sel, -1)

separators(sel) := regex.split(atom_re, sel)

# skeleton is the boolean skeleton of sel for labels, or undefined when text outside the
# atoms is not made of operators and parentheses.
skeleton(sel, labels) := s if {
	found := atoms(sel)
	seps := separators(sel)
	count(seps) == count(found) + 1
	every sep in seps {
		regex.match(separator_re, sep)
	}
	raw := concat("", [piece |
		some i, sep in seps
		piece := concat("", [sep, atom_letter(found, i, labels)])
	])
	not regex.match(`&\s+&|\|\s+\|`, raw)
	s := regex.replace(raw, `\s+`, "")
}

atom_letter(list, i, _) := "" if i >= count(list)

atom_letter(list, i, labels) := "T" if {
	i < count(list)
	atom_true(list[i], labels)
}

atom_letter(list, i, labels) := "F" if {
	i < count(list)
	not atom_true(list[i], labels)
}

# valid is true when Calico would accept sel: the empty string, or an expression.
valid(sel) if empty(sel)

valid(sel) if {
	not empty(sel)
	reduce(skeleton(sel, {})) in {"T", "F"}
}

# matches is true when sel selects an object with labels. The empty selector is all(); an
# invalid selector matches nothing.
matches(sel, labels) if {
	empty(sel)
	is_object(labels)
}

matches(sel, labels) if {
	not empty(sel)
	is_object(labels)
	reduce(skeleton(sel, labels)) == "T"
}

# keys is the set of label keys sel references (empty for invalid selectors).
keys(sel) := {k |
	valid(sel)
	some a in atoms(sel)
	k := atom_key(a)
}

# selects_all is true for selectors that match every labelled object: the empty selector,
# and valid selectors that reference no label and no global() and are true (all(),
# !(!all()), ...). Selectors such as has(a) || !has(a) are not recognised.
selects_all(sel) if empty(sel)

selects_all(sel) if {
	not empty(sel)
	count(keys(sel)) == 0
	not regex.match(`global\(`, sel)
	matches(sel, {})
}

# --- atoms ---

parts(pattern, atom) := m[0] if {
	m := regex.find_all_string_submatch_n(pattern, atom, 1)
	count(m) == 1
}

has_parts(atom) := parts(sprintf(`^has\(\s*(%s)\s*\)$`, [key_re]), atom)

cmp_parts(atom) := parts(sprintf(`^(%s)\s*(==|!=)\s*(%s)$`, [key_re, str_re]), atom)

in_parts(atom) := parts(sprintf(`^(%s)\s+((?:not\s+)?in)\s*(%s)$`, [key_re, set_re]), atom)

strop_parts(atom) := parts(sprintf(`^(%s)\s+(contains|starts\s+with|ends\s+with)\s*(%s)$`, [key_re, str_re]), atom)

atom_key(atom) := has_parts(atom)[1]

atom_key(atom) := cmp_parts(atom)[1]

atom_key(atom) := in_parts(atom)[1]

atom_key(atom) := strop_parts(atom)[1]

unquote(s) := substring(s, 1, count(s) - 2)

set_values(set_text) := {unquote(v) | some v in regex.find_n(str_re, set_text, -1)}

has_label(labels, k) if _ = labels[k]

label_is(labels, k, v) if labels[k] == v

label_in(labels, k, values) if labels[k] in values

atom_true(atom, _) if regex.match(`^all\(\s*\)$`, atom)

atom_true(atom, labels) if has_label(labels, has_parts(atom)[1])

atom_true(atom, labels) if {
	p := cmp_parts(atom)
	p[2] == "=="
	label_is(labels, p[1], unquote(p[3]))
}

atom_true(atom, labels) if {
	p := cmp_parts(atom)
	p[2] == "!="
	not label_is(labels, p[1], unquote(p[3]))
}

atom_true(atom, labels) if {
	p := in_parts(atom)
	p[2] == "in"
	label_in(labels, p[1], set_values(p[3]))
}

atom_true(atom, labels) if {
	p := in_parts(atom)
	p[2] != "in"
	not label_in(labels, p[1], set_values(p[3]))
}

atom_true(atom, labels) if {
	p := strop_parts(atom)
	v := labels[p[1]]
	is_string(v)
	string_op(regex.replace(p[2], `\s+`, " "), v, unquote(p[3]))
}

string_op("contains", v, s) if contains(v, s)

string_op("starts with", v, s) if startswith(v, s)

string_op("ends with", v, s) if endswith(v, s)

# --- reduction of the boolean skeleton ---

# reduce rewrites a skeleton until it is a single literal, with 64 passes at most.
reduce(s) := p16(p16(p16(p16(s))))

p16(s) := p4(p4(p4(p4(s))))

p4(s) := step(step(step(step(s))))

step(s) := s if s in {"T", "F"}

else := parens(ors(ands(nots(s))))

nots(s) := r if {
	a := regex.replace(s, `!!([!TF(])`, "$1")
	b := replace(a, "!T", "f")
	c := replace(b, "!F", "T")
	r := replace(c, "f", "F")
}

ands(s) := r if {
	a := regex.replace(s, `(^|[^!])(?:T&&F|F&&T|F&&F)`, "${1}F")
	r := regex.replace(a, `(^|[^!])T&&T`, "${1}T")
}

ors(s) := r if {
	a := regex.replace(s, `(^|[(|])(?:T\|\|F|F\|\|T|T\|\|T)($|[)|])`, "${1}T${2}")
	r := regex.replace(a, `(^|[(|])F\|\|F($|[)|])`, "${1}F${2}")
}

parens(s) := r if {
	a := replace(s, "(T)", "T")
	r := replace(a, "(F)", "F")
}

# ---------------------------------------------------------------------------------------
# Policies (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy)
# ---------------------------------------------------------------------------------------

spec(policy) := s if {
	is_object(policy)
	s := policy.spec
	is_object(s)
} else := {} if {
	is_object(policy)
	object.get(policy, "spec", null) == null
}

# rules holds the policy's rules of one direction ("ingress" or "egress") that are
# objects, with their index: {"rule": <Rule>, "index": 0}.
rules(policy, direction) := {{"rule": r, "index": i} |
	some i, r in spec(policy)[direction]
	is_object(r)
} if {
	is_array(spec(policy)[direction])
} else := set()

has_rules(policy, direction) if {
	some r in spec(policy)[direction]
	is_object(r)
}

# types is the set of effective policy types. When spec.types is unset or empty, Calico
# takes Ingress when there are ingress rules, Egress when there are egress rules, and
# Ingress when there are neither.
types(policy) := {t | some t in spec(policy).types; is_string(t)} if {
	is_array(spec(policy).types)
	count(spec(policy).types) > 0
} else := ts if {
	ts := {t |
		some direction, t in {"ingress": "Ingress", "egress": "Egress"}
		has_rules(policy, direction)
	}
	count(ts) > 0
} else := {"Ingress"} if {
	is_object(spec(policy))
}

directions := {"ingress": "Ingress", "egress": "Egress"}

# action is a rule's action as Calico reads it (case-insensitively: allow, Allow).
action(rule) := concat("", [upper(substring(rule.action, 0, 1)), lower(substring(rule.action, 1, -1))]) if {
	is_string(rule.action)
	rule.action != ""
}

# blank is true for a field value that constrains nothing: absent, null, "", [] or {}.
blank(v) if v == null

blank(v) if v == ""

blank(v) if v == []

blank(v) if v == {}

# open_entity is true for a source or destination that constrains nothing: every field is
# blank (an all() selector still restricts to Calico endpoints and network sets).
open_entity(e) if blank(e)

open_entity(e) if {
	is_object(e)
	every _, v in e {
		blank(v)
	}
}

# match_fields are the Rule fields besides action, metadata, source and destination; any
# of them set narrows what the rule matches.
match_fields := {"protocol", "notProtocol", "icmp", "notICMP", "ipVersion", "http"}

# matches_all is true for a rule that matches every packet of its direction.
matches_all(rule) if {
	is_object(rule)
	every _, v in object.filter(rule, match_fields) {
		blank(v)
	}
	open_entity(object.get(rule, "source", null))
	open_entity(object.get(rule, "destination", null))
}

# tier is the policy's tier: spec.tier, "default" when unset or empty.
tier(policy) := t if {
	t := spec(policy).tier
	is_string(t)
	t != ""
} else := "default"

# selector is spec.selector; unset or null is the empty selector (all()). Undefined when
# it is not a string.
selector(policy) := s if {
	s := spec(policy).selector
	is_string(s)
} else := "" if {
	object.get(spec(policy), "selector", null) == null
}

# namespace_labels are the labels a namespaceSelector sees for namespace ns with labels:
# its own plus projectcalico.org/name.
namespace_labels(ns, labels) := object.union(labels, {"projectcalico.org/name": ns})

# endpoint_labels are the labels Calico gives every workload endpoint of namespace ns
# whatever its pod labels: projectcalico.org/namespace, projectcalico.org/orchestrator and
# pcns.<key> for each label of the namespace.
endpoint_labels(ns, ns_labels) := object.union(
	{sprintf("pcns.%s", [k]): v | some k, v in ns_labels},
	{"projectcalico.org/namespace": ns, "projectcalico.org/orchestrator": "k8s"},
)

implicit_key(k) if k in {"projectcalico.org/namespace", "projectcalico.org/orchestrator"}

implicit_key(k) if startswith(k, "pcns.")

# selects_namespace_endpoints is true when an endpoint selector selects every workload
# endpoint of namespace ns whatever the pods' own labels: it references only the implicit
# keys and is true on the implicit labels.
selects_namespace_endpoints(sel, ns, ns_labels) if {
	valid(sel)
	every k in keys(sel) {
		implicit_key(k)
	}
	matches(sel, endpoint_labels(ns, ns_labels))
}

# namespace_selector is a GlobalNetworkPolicy's spec.namespaceSelector; unset or null is
# the empty selector (every namespace). Undefined when it is not a string.
namespace_selector(policy) := s if {
	s := spec(policy).namespaceSelector
	is_string(s)
} else := "" if {
	object.get(spec(policy), "namespaceSelector", null) == null
}

# service_account_selector is spec.serviceAccountSelector, "" when unset or null.
service_account_selector(policy) := s if {
	s := spec(policy).serviceAccountSelector
	is_string(s)
} else := "" if {
	object.get(spec(policy), "serviceAccountSelector", null) == null
}

# host_only is true for untracked and pre-DNAT policies, which apply to host endpoints only.
host_only(policy) if spec(policy).doNotTrack == true

host_only(policy) if spec(policy).preDNAT == true

# name is the policy's metadata.name, "" when missing.
name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := ""

# order_key sorts policies as Calico does within a tier: ascending spec.order, policies
# without an order after every ordered one, ties by name.
order_key(policy) := [0, o, name(policy)] if {
	o := spec(policy).order
	is_number(o)
} else := [1, 0, name(policy)]

# catch_all is the first rule of a direction that matches every packet and decides
# (Allow, Deny or Pass; Log rules do not): {"index": 0, "action": "Deny"}. Undefined when
# there is none.
catch_all(policy, direction) := {"index": first[0], "action": first[1]} if {
	decisions := [[r.index, a] |
		some r in rules(policy, direction)
		a := action(r.rule)
		a in {"Allow", "Deny", "Pass"}
		matches_all(r.rule)
	]
	count(decisions) > 0
	first := min(decisions)
}

# --- tiers (https://docs.tigera.io/calico/latest/reference/resources/tier) ---

# default_tier_order is the order of the implicit default tier.
default_tier_order := 1000000

# tiers maps the name of every Tier in the inventory, and the implicit default tier, to
# {"order": <number or null>, "defaultAction": "Deny" | "Pass"}.
tiers := object.union({"default": {"order": default_tier_order, "defaultAction": "Deny"}}, declared_tiers)

# The Tier under review counts as declared as it is now: an admission review sees it
# before the inventory does, and Gatekeeper's inventory may hold an older copy.
declared_tiers := object.union(inventory_tiers, reviewed_tier)

inventory_tiers := {n: tier_entry(t) |
	some t in inventory.cluster_scoped("Tier")
	is_tier(t)
	n := name(t)
	n != ""
}

reviewed_tier := {n: tier_entry(core.resource)} if {
	is_tier(core.resource)
	n := name(core.resource)
	n != ""
} else := {}

tier_entry(t) := {"order": tier_order(t), "defaultAction": tier_default_action(t)}

tier_order(t) := t.spec.order if is_number(t.spec.order)

else := default_tier_order if name(t) == "default"

else := null

tier_default_action(t) := "Pass" if t.spec.defaultAction == "Pass"

else := "Deny"

# tier_key sorts tiers: ascending order, tiers without one last, ties by name.
tier_key(n) := [0, tiers[n].order, n] if is_number(tiers[n].order)

else := [1, 0, n] if tiers[n]

# last_tier is true when tier n is known and no tier sorts after it.
last_tier(n) if {
	tier_key(n)
	not later_tier(n)
}

later_tier(n) if {
	some other, _ in tiers
	other != n
	tier_key(other) > tier_key(n)
}

# --- selector comparison ---

# canonical is a valid selector in a form where selectors that differ only in whitespace
# and quoting compare equal: atoms rewritten (key, operator, unquoted values; sets
# sorted), separators without whitespace. "" for the empty selector.
canonical(sel) := "" if empty(sel)

canonical(sel) := c if {
	not empty(sel)
	valid(sel)
	found := atoms(sel)
	seps := separators(sel)
	c := concat("", [piece |
		some i, sep in seps
		piece := concat("", [regex.replace(sep, `\s+`, ""), canonical_atom_at(found, i)])
	])
}

canonical_atom_at(list, i) := "" if i >= count(list)

canonical_atom_at(list, i) := canonical_atom(list[i]) if i < count(list)

canonical_atom(atom) := "all()" if regex.match(`^all\(\s*\)$`, atom)

canonical_atom(atom) := "global()" if regex.match(`^global\(\s*\)$`, atom)

canonical_atom(atom) := sprintf("has(%s)", [has_parts(atom)[1]]) if has_parts(atom)

canonical_atom(atom) := json.marshal([p[1], p[2], unquote(p[3])]) if p := cmp_parts(atom)

canonical_atom(atom) := json.marshal([p[1], regex.replace(p[2], `\s+`, " "), sort(set_values(p[3]))]) if p := in_parts(atom)

canonical_atom(atom) := json.marshal([p[1], regex.replace(p[2], `\s+`, " "), unquote(p[3])]) if p := strop_parts(atom)

# conjuncts is the set of canonical literals ("has(a)", "!has(a)", ...) of a selector that
# is a plain conjunction: atoms, each optionally negated, joined by && without
# parentheses or ||. Undefined for other selectors; empty for the empty selector.
conjuncts(sel) := set() if empty(sel)

conjuncts(sel) := {lit |
	some i, atom in found
	lit := concat("", [trim_prefix(regex.replace(seps[i], `\s+`, ""), "&&"), canonical_atom(atom)])
} if {
	not empty(sel)
	valid(sel)
	found := atoms(sel)
	seps := [regex.replace(s, `\s+`, "") | some s in separators(sel)]
	seps[count(seps) - 1] == ""
	seps[0] in {"", "!"}
	every i, s in seps {
		conjunct_separator(i, s, count(seps))
	}
}

conjunct_separator(0, s, _) if s in {"", "!"}

conjunct_separator(i, s, n) if {
	i > 0
	i < n - 1
	s in {"&&", "&&!"}
}

conjunct_separator(i, "", n) if {
	i > 0
	i == n - 1
}
