// Package rbac resolves Kubernetes RBAC from a set of objects the way the API server's
// RBAC authorizer does: RoleBindings and ClusterRoleBindings to their subjects (users,
// groups, service accounts), RoleBindings that reference ClusterRoles, aggregated
// ClusterRoles (aggregationRule label selectors, as the aggregation controller fills
// them), and the default policy a new cluster starts with. It answers what a subject may
// do (Grants, Authorize) and who may do something (WhoCan), naming the binding and role
// behind each answer.
package rbac

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ringfence/ringfence/harness/workload"
)

// Well-known user and group names.
const (
	// SystemMasters is the group the API server authorizes before RBAC: its members
	// may do anything, whatever the bindings say.
	SystemMasters         = "system:masters"
	SystemAuthenticated   = "system:authenticated"
	SystemUnauthenticated = "system:unauthenticated"
	SystemAnonymous       = "system:anonymous"
	SystemServiceAccounts = "system:serviceaccounts"
	serviceAccountPrefix  = "system:serviceaccount:"
)

// User is who asks, as an authenticator presents it: a name and groups.
type User struct {
	Name   string
	Groups []string
}

// ServiceAccount is the user a service account's token authenticates as:
// system:serviceaccount:NS:NAME in the groups system:serviceaccounts,
// system:serviceaccounts:NS and system:authenticated.
func ServiceAccount(namespace, name string) User {
	return User{
		Name:   serviceAccountPrefix + namespace + ":" + name,
		Groups: []string{SystemServiceAccounts, SystemServiceAccounts + ":" + namespace, SystemAuthenticated},
	}
}

// ParseServiceAccount splits a service account user name (system:serviceaccount:NS:NAME).
func ParseServiceAccount(user string) (namespace, name string, ok bool) {
	rest, ok := strings.CutPrefix(user, serviceAccountPrefix)
	if !ok {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	if !ok || namespace == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return namespace, name, true
}

// Ref names an RBAC object.
type Ref struct {
	Kind      string
	Namespace string // "" for cluster-scoped objects
	Name      string
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Grant is one rule a binding gives its subjects.
type Grant struct {
	Binding Ref
	Role    Ref // what the binding's roleRef names
	// Namespace is where the rule applies: the RoleBinding's namespace, or "" for a
	// ClusterRoleBinding, whose rules apply in every namespace and to cluster-scoped
	// resources and non-resource URLs.
	Namespace string
	Rule      rbacv1.PolicyRule
	// Source is the role the rule is written in, and Index its position there. For an
	// aggregated ClusterRole the source is the ClusterRole it aggregates the rule from.
	Source Ref
	Index  int
	// Default is true when the binding is part of Kubernetes' default policy rather than
	// the scanned objects.
	Default bool
}

// Via is how reports name the grant: "RoleBinding shop/deploy -> ClusterRole edit
// (ClusterRole system:aggregate-to-edit rules[3])".
func (g Grant) Via() string {
	s := g.Binding.String() + " -> " + g.Role.String()
	if g.Source != g.Role {
		s += fmt.Sprintf(" (%s rules[%d])", g.Source, g.Index)
	} else {
		s += fmt.Sprintf(" rules[%d]", g.Index)
	}
	return s
}

// Decision is the authorizer's answer.
type Decision struct {
	Allowed bool
	// Superuser is set when the user is in system:masters, which the API server
	// authorizes before RBAC.
	Superuser bool
	// Grant is the first rule found that allows the request (nil when not allowed or
	// for a superuser).
	Grant *Grant
}

// Reason says why, for reports.
func (d Decision) Reason() string {
	switch {
	case d.Superuser:
		return "member of " + SystemMasters
	case d.Grant != nil:
		return d.Grant.Via()
	}
	return "no rule allows it"
}

// ObjectError is a problem with one object of the set given to New: Index is its position.
type ObjectError struct {
	Index int
	Err   error
}

func (e *ObjectError) Error() string { return e.Err.Error() }
func (e *ObjectError) Unwrap() error { return e.Err }

// Options tunes New.
type Options struct {
	// NoDefaults leaves out Kubernetes' default roles and bindings (cluster-admin,
	// admin, edit, view, the system: roles), which New otherwise adds for those the
	// objects do not define themselves.
	NoDefaults bool
	// Defaults are the default policy's objects, as DefaultPolicy returns them, for
	// callers that resolve many object sets and parse the embedded policy once; nil
	// parses it on every call. New does not modify them.
	Defaults []map[string]any
}

type role struct {
	ref   Ref
	rules []sourcedRule
	// for ClusterRoles
	labels      labels.Set
	aggregation []labels.Selector // nil when not aggregated
	resolving   bool
	resolved    bool
}

type sourcedRule struct {
	rule   rbacv1.PolicyRule
	source Ref
	index  int
}

type binding struct {
	ref      Ref
	roleRef  rbacv1.RoleRef
	subjects []rbacv1.Subject
	builtin  bool
	rules    []sourcedRule // resolved role rules
	role     Ref
}

// Policy is the resolved RBAC of a set of objects. It is safe for concurrent reads.
type Policy struct {
	roles        map[Ref]*role
	bindings     []*binding
	clusterWide  []*binding            // ClusterRoleBindings
	byNamespace  map[string][]*binding // RoleBindings
	bySubject    map[string][]*binding // "U:" user name or "G:" group -> bindings naming it
	serviceAccts map[[2]string]serviceAccount
	workloadPods []WorkloadPod
}

type serviceAccount struct {
	automount *bool
}

// New resolves the RBAC objects (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings
// of rbac.authorization.k8s.io/v1), the ServiceAccounts and the workloads in objs. Other
// objects are ignored; an object that cannot be decoded costs only itself. An error
// with Index -1 is about the embedded default policy.
func New(objs []map[string]any, opts Options) (*Policy, []*ObjectError) {
	p := &Policy{
		roles:        map[Ref]*role{},
		byNamespace:  map[string][]*binding{},
		bySubject:    map[string][]*binding{},
		serviceAccts: map[[2]string]serviceAccount{},
	}
	var errs []*ObjectError
	seen := map[Ref]bool{}
	for i, obj := range objs {
		ref, err := p.add(obj, false)
		if err != nil {
			errs = append(errs, &ObjectError{Index: i, Err: err})
			continue
		}
		if ref != nil {
			seen[*ref] = true
		}
		pod, ok, err := workload.Of(obj)
		if err != nil {
			continue // the workload's own rules report what is wrong with it
		}
		if ok {
			p.workloadPods = append(p.workloadPods, WorkloadPod{Object: i, Pod: pod})
		}
	}
	if !opts.NoDefaults {
		defaults := opts.Defaults
		if defaults == nil {
			var err error
			if defaults, err = DefaultPolicy(); err != nil {
				errs = append(errs, &ObjectError{Index: -1, Err: err})
			}
		}
		for _, obj := range defaults {
			meta, _ := obj["metadata"].(map[string]any)
			kind, _ := obj["kind"].(string)
			ns, _ := meta["namespace"].(string)
			name, _ := meta["name"].(string)
			if seen[Ref{Kind: kind, Namespace: ns, Name: name}] {
				continue // the scanned objects redefine it
			}
			if _, err := p.add(obj, true); err != nil {
				errs = append(errs, &ObjectError{Index: -1, Err: fmt.Errorf("default policy: %w", err)})
			}
		}
	}
	p.resolve()
	return p, errs
}

// add decodes one object; it returns the RBAC object's ref, nil for other kinds.
func (p *Policy) add(obj map[string]any, builtin bool) (*Ref, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "v1" && kind == "ServiceAccount" {
		var sa struct {
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Automount *bool `json:"automountServiceAccountToken"`
		}
		if err := workload.Decode(obj, &sa); err != nil {
			return nil, fmt.Errorf("ServiceAccount: %w", err)
		}
		ns := cmp.Or(sa.Metadata.Namespace, workload.DefaultNamespace)
		p.serviceAccts[[2]string{ns, sa.Metadata.Name}] = serviceAccount{automount: sa.Automount}
		return nil, nil
	}
	if apiVersion != rbacv1.SchemeGroupVersion.String() {
		return nil, nil
	}
	switch kind {
	case "Role", "ClusterRole":
		var r rbacv1.ClusterRole // a Role is a ClusterRole without aggregationRule
		if err := workload.Decode(obj, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		ref := Ref{Kind: kind, Name: r.Name}
		if kind == "Role" {
			ref.Namespace = cmp.Or(r.Namespace, workload.DefaultNamespace)
		}
		ro := &role{ref: ref, labels: labels.Set(r.Labels)}
		for i, rule := range r.Rules {
			ro.rules = append(ro.rules, sourcedRule{rule: rule, source: ref, index: i})
		}
		if kind == "ClusterRole" && r.AggregationRule != nil {
			ro.aggregation = []labels.Selector{}
			for _, sel := range r.AggregationRule.ClusterRoleSelectors {
				s, err := metav1.LabelSelectorAsSelector(&sel)
				if err != nil {
					return nil, fmt.Errorf("ClusterRole %s: aggregationRule: %w", r.Name, err)
				}
				ro.aggregation = append(ro.aggregation, s)
			}
		}
		p.roles[ref] = ro
		return &ref, nil
	case "RoleBinding", "ClusterRoleBinding":
		var b rbacv1.RoleBinding
		if err := workload.Decode(obj, &b); err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		ref := Ref{Kind: kind, Name: b.Name}
		if kind == "RoleBinding" {
			ref.Namespace = cmp.Or(b.Namespace, workload.DefaultNamespace)
		}
		bd := &binding{ref: ref, roleRef: b.RoleRef, subjects: b.Subjects, builtin: builtin}
		p.bindings = append(p.bindings, bd)
		if kind == "RoleBinding" {
			p.byNamespace[ref.Namespace] = append(p.byNamespace[ref.Namespace], bd)
		} else {
			p.clusterWide = append(p.clusterWide, bd)
		}
		keys := map[string]bool{}
		for _, s := range b.Subjects {
			if k := subjectKey(s, ref.Namespace); k != "" && !keys[k] {
				keys[k] = true
				p.bySubject[k] = append(p.bySubject[k], bd)
			}
		}
		return &ref, nil
	}
	return nil, nil
}

// subjectKey is how the authorizer matches a subject: users and service accounts by
// user name ("U:"), groups by name ("G:"). A service account without a namespace takes
// the RoleBinding's; in a ClusterRoleBinding it matches nobody. Other kinds match nobody.
func subjectKey(s rbacv1.Subject, bindingNamespace string) string {
	switch s.Kind {
	case rbacv1.UserKind:
		return "U:" + s.Name
	case rbacv1.GroupKind:
		return "G:" + s.Name
	case rbacv1.ServiceAccountKind:
		ns := cmp.Or(s.Namespace, bindingNamespace)
		if ns == "" {
			return ""
		}
		return "U:" + serviceAccountPrefix + ns + ":" + s.Name
	}
	return ""
}

// resolve fills aggregated ClusterRoles and each binding's rules.
func (p *Policy) resolve() {
	var clusterRoles []*role
	for _, r := range p.roles {
		if r.ref.Kind == "ClusterRole" {
			clusterRoles = append(clusterRoles, r)
		}
	}
	slices.SortFunc(clusterRoles, func(a, b *role) int { return strings.Compare(a.ref.Name, b.ref.Name) })
	for _, r := range clusterRoles {
		p.aggregate(r, clusterRoles)
	}
	for _, b := range p.bindings {
		var ref Ref
		switch b.roleRef.Kind {
		case "Role":
			ref = Ref{Kind: "Role", Namespace: b.ref.Namespace, Name: b.roleRef.Name}
		case "ClusterRole":
			ref = Ref{Kind: "ClusterRole", Name: b.roleRef.Name}
		default:
			continue // the authorizer rejects other kinds: the binding grants nothing
		}
		b.role = ref
		if r, ok := p.roles[ref]; ok {
			b.rules = r.rules
		}
	}
}

// aggregate fills an aggregated ClusterRole with the rules of every other ClusterRole its
// selectors match, as the aggregation controller does, deduplicated. As there, an empty
// selector matches every ClusterRole. A ClusterRole
// reached again while it is being resolved (a cycle) adds nothing more.
func (p *Policy) aggregate(r *role, all []*role) {
	if r.aggregation == nil || r.resolved || r.resolving {
		return
	}
	r.resolving = true
	var rules []sourcedRule
	for _, other := range all {
		if other == r || !selectedBy(other.labels, r.aggregation) {
			continue
		}
		p.aggregate(other, all)
		for _, sr := range other.rules {
			if !slices.ContainsFunc(rules, func(x sourcedRule) bool { return equalRules(&x.rule, &sr.rule) }) {
				rules = append(rules, sr)
			}
		}
	}
	r.rules, r.resolving, r.resolved = rules, false, true
}

func selectedBy(set labels.Set, selectors []labels.Selector) bool {
	for _, s := range selectors {
		if s.Matches(set) {
			return true
		}
	}
	return false
}

func equalRules(a, b *rbacv1.PolicyRule) bool {
	return slices.Equal(a.Verbs, b.Verbs) && slices.Equal(a.APIGroups, b.APIGroups) &&
		slices.Equal(a.Resources, b.Resources) && slices.Equal(a.ResourceNames, b.ResourceNames) &&
		slices.Equal(a.NonResourceURLs, b.NonResourceURLs)
}

// bindingsOf returns the bindings that name u (as a user or through one of its groups),
// each once, in a stable order.
func (p *Policy) bindingsOf(u User) []*binding {
	seen := map[*binding]bool{}
	var out []*binding
	add := func(key string) {
		for _, b := range p.bySubject[key] {
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
	}
	add("U:" + u.Name)
	for _, g := range u.Groups {
		add("G:" + g)
	}
	slices.SortFunc(out, func(a, b *binding) int { return compareRefs(a.ref, b.ref) })
	return out
}

func compareRefs(a, b Ref) int {
	return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
}

// Authorize answers r for u as the API server would with RBAC authorization:
// system:masters first, then the ClusterRoleBindings, then, for a request in a namespace,
// that namespace's RoleBindings.
func (p *Policy) Authorize(u User, r Request) Decision {
	if Superuser(u) {
		return Decision{Allowed: true, Superuser: true}
	}
	for _, b := range p.bindingsOf(u) {
		if b.ref.Kind == "RoleBinding" && (r.Namespace == "" || b.ref.Namespace != r.Namespace) {
			continue
		}
		for i := range b.rules {
			if RuleAllows(&b.rules[i].rule, r) {
				g := b.grant(b.rules[i])
				return Decision{Allowed: true, Grant: &g}
			}
		}
	}
	return Decision{}
}

func (b *binding) grant(sr sourcedRule) Grant {
	return Grant{
		Binding: b.ref, Role: b.role, Namespace: b.ref.Namespace, Rule: sr.rule,
		Source: sr.source, Index: sr.index, Default: b.builtin,
	}
}

// Grants lists every rule u is given, by binding. A superuser gets no grants: check
// Superuser.
func (p *Policy) Grants(u User) []Grant {
	var out []Grant
	for _, b := range p.bindingsOf(u) {
		for _, sr := range b.rules {
			out = append(out, b.grant(sr))
		}
	}
	return out
}

// Superuser reports whether u is authorized before RBAC (system:masters).
func Superuser(u User) bool { return slices.Contains(u.Groups, SystemMasters) }

// SubjectGrant is a subject that may make a request, and the rule that lets it.
type SubjectGrant struct {
	Subject rbacv1.Subject // service accounts with their namespace filled in
	Grant   Grant
}

// WhoCan lists the subjects of every binding that allows r: the ClusterRoleBindings and,
// for a request in a namespace, that namespace's RoleBindings. Members of system:masters
// may always make the request and are not listed.
func (p *Policy) WhoCan(r Request) []SubjectGrant {
	candidates := slices.Clone(p.clusterWide)
	if r.Namespace != "" {
		candidates = append(candidates, p.byNamespace[r.Namespace]...)
	}
	var out []SubjectGrant
	for _, b := range candidates {
		idx := slices.IndexFunc(b.rules, func(sr sourcedRule) bool { return RuleAllows(&sr.rule, r) })
		if idx < 0 {
			continue
		}
		g := b.grant(b.rules[idx])
		for _, s := range b.subjects {
			if subjectKey(s, b.ref.Namespace) == "" {
				continue
			}
			if s.Kind == rbacv1.ServiceAccountKind {
				s.Namespace = cmp.Or(s.Namespace, b.ref.Namespace)
			}
			out = append(out, SubjectGrant{Subject: s, Grant: g})
		}
	}
	slices.SortFunc(out, func(a, b SubjectGrant) int {
		return cmp.Or(strings.Compare(a.Subject.Kind, b.Subject.Kind), strings.Compare(a.Subject.Namespace, b.Subject.Namespace),
			strings.Compare(a.Subject.Name, b.Subject.Name), compareRefs(a.Grant.Binding, b.Grant.Binding))
	})
	return out
}
