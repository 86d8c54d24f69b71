package netgen

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/segment"
)

func writeFile(t *testing.T, file string, data []byte) {
	t.Helper()
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// objects parses a YAML stream.
func objects(t *testing.T, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range strings.Split(stream, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("fixture: %v\n%s", err, doc)
		}
		out = append(out, obj)
	}
	return out
}

// deployment is a Deployment in namespace ns whose pods carry app=name, declare ports
// ("8080" or "http=8080"), and have the container fields given as YAML lines indented
// under the container (env, args, envFrom, ...).
func deployment(ns, name string, ports []string, container string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata:
      labels: {app: %s, pod-template-hash: abc}
    spec:
      containers:
        - name: main
          image: example/%s
`, name, ns, name, name, name)
	if len(ports) > 0 {
		b.WriteString("          ports:\n")
		for _, p := range ports {
			if n, num, ok := strings.Cut(p, "="); ok {
				fmt.Fprintf(&b, "            - {name: %s, containerPort: %s}\n", n, num)
			} else {
				fmt.Fprintf(&b, "            - {containerPort: %s}\n", p)
			}
		}
	}
	for _, line := range strings.Split(strings.TrimRight(container, "\n"), "\n") {
		if line != "" {
			b.WriteString("          " + line + "\n")
		}
	}
	return b.String()
}

func svc(ns, name, app string, ports ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports:\n", name, ns, app)
	for _, p := range ports {
		// "80" | "80>8080" | "http:80>web"
		name, rest, named := strings.Cut(p, ":")
		if !named {
			rest, name = name, ""
		}
		port, target, _ := strings.Cut(rest, ">")
		fmt.Fprintf(&b, "    - {port: %s", port)
		if name != "" {
			fmt.Fprintf(&b, ", name: %s", name)
		}
		if target != "" {
			fmt.Fprintf(&b, ", targetPort: %s", target)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func ns(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n"
}

func join(docs ...string) string { return strings.Join(docs, "\n---\n") }

// connections renders a result's connections as "from -> to ports".
func connections(r *Result) []string {
	var out []string
	for _, c := range r.Connections {
		var ports []string
		for _, p := range c.Ports {
			ports = append(ports, p.String())
		}
		if c.Ports == nil {
			ports = []string{"all"}
		}
		out = append(out, c.From.Name+" -> "+c.To.Name+" "+strings.Join(ports, ","))
	}
	slices.Sort(out)
	return out
}

func unresolvedReasons(r *Result) []string {
	var out []string
	for _, u := range r.Unresolved {
		out = append(out, u.Reason)
	}
	slices.Sort(out)
	return out
}

// generate runs Generate and Prove, failing on a proof that does not hold.
func generate(t *testing.T, stream string, opts Options) *Result {
	t.Helper()
	objs := objects(t, stream)
	r, err := Generate(objs, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Prove(objs, r)
	if err != nil {
		t.Fatal(err)
	}
	if !p.OK() {
		t.Errorf("proof: missing %v, extra %v", p.Missing, p.Extra)
	}
	return r
}

func TestReferenceResolution(t *testing.T) {
	base := []string{
		ns("web"), ns("shop"),
		deployment("shop", "cart", []string{"http=8080", "9090"}, ""),
		svc("shop", "cart", "cart", "http:80>http", "metrics:9100>9090"),
		deployment("shop", "db", []string{"5432"}, ""),
		svc("shop", "db", "db", "5432"),
		deployment("web", "api", []string{"8080"}, ""),
		svc("web", "api", "api", "80>8080"),
		"apiVersion: v1\nkind: Service\nmetadata: {name: legacy, namespace: shop}\nspec:\n  ports: [{port: 80}]",
		"apiVersion: v1\nkind: Service\nmetadata: {name: payments, namespace: shop}\nspec:\n  type: ExternalName\n  externalName: pay.example.com",
		svc("shop", "nothing", "nobody", "80"),
		svc("shop", "wrongtarget", "cart", "80>grpc"),
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: web}\ndata:\n  CART_URL: http://cart.shop\n  LOG_LEVEL: info\n  DB: postgres://db.shop.svc:5432/app",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: web}\ndata:\n  app.conf: \"upstream = cart.shop.svc.cluster.local:80\\n\"",
	}
	for _, tc := range []struct {
		name       string
		container  string
		want       []string
		unresolved []string
	}{
		{"bare name in the own namespace needs an address key",
			"env: [{name: CART_HOST, value: api}, {name: APP_NAME, value: api}]",
			nil, nil}, // api is in web, the workload itself: no connection to itself
		{"name.namespace with the Service port number",
			"env: [{name: CART, value: \"cart.shop:80\"}]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] http/TCP"}, nil},
		{"name.namespace.svc and the port name",
			"env: [{name: CART, value: \"cart.shop.svc:metrics\"}]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] 9090/TCP"}, nil},
		{"fully qualified with a scheme that implies the port",
			"args: [\"--cart=http://cart.shop.svc.cluster.local\"]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] http/TCP"}, nil},
		{"no port: every port of the Service",
			"env: [{name: CART_ADDR, value: cart.shop.svc}]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] 9090/TCP,http/TCP"}, nil},
		{"a flag names the next argument's address",
			"args: [--upstream-host, cart.shop, --verbose]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] 9090/TCP,http/TCP"}, nil},
		{"ConfigMap key by env valueFrom and envFrom",
			"env: [{name: DATABASE, valueFrom: {configMapKeyRef: {name: settings, key: DB}}}]\nenvFrom: [{configMapRef: {name: settings}}]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] http/TCP", "web/api[Deployment] -> shop/db[Deployment] 5432/TCP"}, nil},
		{"a mounted ConfigMap's files",
			"volumeMounts: [{name: conf, mountPath: /etc/app}]",
			[]string{"web/api[Deployment] -> shop/cart[Deployment] http/TCP"}, nil},
		{"a missing Service, a missing port, a missing ConfigMap",
			"env: [{name: A, value: \"orders.shop:80\"}, {name: B, value: \"cart.shop:81\"}, {name: C, valueFrom: {configMapKeyRef: {name: absent, key: x}}}]",
			nil, []string{"ConfigMap web/absent is not in the input", "Service shop/cart has no port 81 (it has 80 (http), 9100 (metrics))", "no Service shop/orders in the input"}},
		{"Services whose pods are not in the manifests",
			"env: [{name: A, value: \"legacy.shop:80\"}, {name: B, value: \"payments.shop:443\"}, {name: C, value: \"nothing.shop:80\"}, {name: D, value: \"wrongtarget.shop:80\"}]",
			nil, []string{
				"Service shop/legacy has no selector: its endpoints are not in the manifests (declare them in an intents file)",
				"Service shop/nothing selects no workload in the input",
				"Service shop/payments is an ExternalName for pay.example.com, outside the cluster (declare it in an intents file)",
				`Service shop/wrongtarget port 80 targets port "grpc", which Deployment shop/cart does not declare`,
			}},
		{"outside names and variables are not references",
			"env: [{name: A, value: \"https://storage.googleapis.com\"}, {name: B, value: \"$(CART):80\"}, {name: C, value: \"localhost:8080\"}, {name: D, value: \"cart.elsewhere:80\"}]",
			nil, nil},
		{"a cluster name of no Service form is reported",
			"env: [{name: A, value: \"a.b.c.d.svc.cluster.local:80\"}]",
			nil, []string{`"a.b.c.d.svc.cluster.local" is a cluster address of no form a Service has`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := slices.Clone(base)
			container := tc.container
			if strings.Contains(container, "volumeMounts") {
				docs[6] = strings.Replace(deployment("web", "api", []string{"8080"}, container), "      containers:", "      volumes: [{name: conf, configMap: {name: files}}]\n      containers:", 1)
			} else {
				docs[6] = deployment("web", "api", []string{"8080"}, container)
			}
			r := generate(t, join(docs...), Options{})
			if diff := cmp.Diff(tc.want, connections(r)); diff != "" {
				t.Errorf("connections (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.unresolved, unresolvedReasons(r)); diff != "" {
				t.Errorf("unresolved (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoutesAndExposure(t *testing.T) {
	ingress := `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: cart, port: {name: http}}}}
          - {path: /m, pathType: Prefix, backend: {service: {name: cart, port: {number: 81}}}}`
	route := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: gateways}]
  rules:
    - backendRefs: [{name: db, port: 5432}, {name: absent, port: 80}]`
	lb := "apiVersion: v1\nkind: Service\nmetadata: {name: public, namespace: shop}\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]\n  selector: {app: cart}\n  ports: [{port: 443, targetPort: 8080}]"
	controller := strings.Replace(deployment("ingress-nginx", "controller", []string{"80"}, ""), "labels: {app: controller,", "labels: {app.kubernetes.io/name: ingress-nginx, app: controller,", 1)
	common := []string{
		ns("shop"),
		deployment("shop", "cart", []string{"http=8080"}, ""), svc("shop", "cart", "cart", "http:80>http"),
		deployment("shop", "db", []string{"5432"}, ""), svc("shop", "db", "db", "5432"),
		ingress, route, lb,
	}
	t.Run("controller found by its labels", func(t *testing.T) {
		r := generate(t, join(append(slices.Clone(common), controller)...), Options{})
		want := []string{
			"203.0.113.0/24 -> shop/cart[Deployment] http/TCP",
			"ingress-nginx/controller[Deployment] -> shop/cart[Deployment] http/TCP",
			"namespace gateways (Gateway edge) -> shop/db[Deployment] 5432/TCP",
		}
		got := connections(r)
		for i := range got {
			got[i] = strings.Replace(got[i], "outside the cluster (203.0.113.0/24)", "203.0.113.0/24", 1)
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("connections (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"Service shop/cart has no port 81", "no Service shop/absent in the input"}, unresolvedReasons(r)); diff != "" {
			t.Errorf("unresolved (-want +got):\n%s", diff)
		}
	})
	t.Run("no controller in the input", func(t *testing.T) {
		r := generate(t, join(common...), Options{})
		reasons := unresolvedReasons(r)
		if !slices.Contains(reasons, "no ingress controller in the input: name its namespace with --ingress-namespace") {
			t.Errorf("unresolved: %v", reasons)
		}
	})
	t.Run("controller namespace named", func(t *testing.T) {
		r := generate(t, join(common...), Options{IngressNamespaces: []string{"ingress-nginx"}})
		if !slices.Contains(connections(r), "namespace ingress-nginx (the ingress controller) -> shop/cart[Deployment] http/TCP") {
			t.Errorf("connections: %v", connections(r))
		}
	})
	t.Run("NodePort from everywhere", func(t *testing.T) {
		np := "apiVersion: v1\nkind: Service\nmetadata: {name: debug, namespace: shop}\nspec:\n  type: NodePort\n  selector: {app: db}\n  ports: [{port: 5432}]"
		r := generate(t, join(ns("shop"), deployment("shop", "db", []string{"5432"}, ""), np), Options{})
		want := []string{"outside the cluster (0.0.0.0/0) -> shop/db[Deployment] 5432/TCP", "outside the cluster (::/0) -> shop/db[Deployment] 5432/TCP"}
		if diff := cmp.Diff(want, connections(r)); diff != "" {
			t.Errorf("connections (-want +got):\n%s", diff)
		}
	})
}

func TestAPIServer(t *testing.T) {
	rbac := `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read, namespace: shop}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read}
subjects: [{kind: ServiceAccount, name: operator, namespace: shop}]`
	operator := strings.Replace(deployment("shop", "operator", nil, ""), "      containers:", "      serviceAccountName: operator\n      containers:", 1)
	quiet := strings.Replace(deployment("shop", "quiet", nil, ""), "      containers:", "      serviceAccountName: operator\n      automountServiceAccountToken: false\n      containers:", 1)
	plain := deployment("shop", "plain", nil, "")
	r := generate(t, join(ns("shop"), rbac, operator, quiet, plain), Options{APIServer: []string{"10.0.0.1"}})
	want := []string{"shop/operator[Deployment] -> the API server (10.0.0.1/32) 443/TCP,6443/TCP"}
	if diff := cmp.Diff(want, connections(r)); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "quiet") || !strings.Contains(r.Notes[0], "mount no token") {
		t.Errorf("notes: %v", r.Notes)
	}
	if _, err := Generate(nil, Options{APIServer: []string{"nope"}}); err == nil {
		t.Error("an API server address that is not one was accepted")
	}
}

func TestIntents(t *testing.T) {
	stream := join(ns("shop"),
		deployment("shop", "cart", []string{"http=8080", "metrics=9090"}, ""),
		deployment("shop", "worker", nil, ""))
	intents := []Intent{
		{Name: "scrape", From: sel(`{"namespaces": ["monitoring"], "podSelector": {"matchLabels": {"app": "prometheus"}}}`), To: sel(`{"podSelector": {"matchLabels": {"app": "cart"}}}`), Ports: []IntentPort{port(t, `"metrics"`)}},
		{Name: "payments", From: sel(`{"podSelector": {"matchLabels": {"app": "worker"}}}`), To: sel(`{"cidr": "198.51.100.7"}`), Ports: []IntentPort{port(t, `443`)}},
		{Name: "queue", From: sel(`{"namespaces": ["shop"], "podSelector": {"matchLabels": {"app": "worker"}}}`), To: sel(`{"podSelector": {"matchLabels": {"app": "cart"}}}`)},
		{Name: "nobody", From: sel(`{"cidr": "10.0.0.0/8"}`), To: sel(`{"podSelector": {"matchLabels": {"app": "none"}}}`)},
	}
	r := generate(t, stream, Options{Intents: intents})
	want := []string{
		`pods outside the input {"namespaces":["monitoring"],"podSelector":{"matchLabels":{"app":"prometheus"}}} -> shop/cart[Deployment] metrics/TCP`,
		"shop/worker[Deployment] -> 198.51.100.7/32 443/TCP",
		"shop/worker[Deployment] -> shop/cart[Deployment] all",
	}
	if diff := cmp.Diff(want, connections(r)); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"neither end is a workload of the input"}, unresolvedReasons(r)); diff != "" {
		t.Errorf("unresolved (-want +got):\n%s", diff)
	}
}

func sel(js string) *segment.Selector {
	var s segment.Selector
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		panic(err)
	}
	return &s
}

func port(t *testing.T, js string) IntentPort {
	t.Helper()
	var p IntentPort
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExistingPolicies(t *testing.T) {
	own := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cart-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cart}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]`
	stream := join(ns("shop"),
		deployment("shop", "cart", []string{"8080"}, ""), svc("shop", "cart", "cart", "8080"),
		deployment("shop", "db", []string{"5432"}, ""), svc("shop", "db", "db", "5432"),
		deployment("shop", "web", nil, "env: [{name: DB_ADDR, value: \"db:5432\"}]"),
		own)
	t.Run("kept and added to", func(t *testing.T) {
		r := generate(t, stream, Options{})
		want := []string{"shop/web[Deployment] -> shop/cart[Deployment] 8080/TCP", "shop/web[Deployment] -> shop/db[Deployment] 5432/TCP"}
		if diff := cmp.Diff(want, connections(r)); diff != "" {
			t.Errorf("connections (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"shop/cart-from-web", "shop/deny-ingress"}, r.Existing); diff != "" {
			t.Errorf("existing (-want +got):\n%s", diff)
		}
		// The namespace denies ingress already: the generated default deny adds egress,
		// and cart's ingress from web needs no rule, only web's egress does.
		got := policySummary(r)
		wantPolicies := []string{
			"shop/ringfence-db ingress[web:5432]",
			"shop/ringfence-default-deny types[Egress]",
			"shop/ringfence-dns egress[kube-dns:53,53]",
			"shop/ringfence-web egress[db:5432 cart:8080]",
		}
		if diff := cmp.Diff(wantPolicies, got); diff != "" {
			t.Errorf("policies (-want +got):\n%s", diff)
		}
	})
	t.Run("replace", func(t *testing.T) {
		r := generate(t, stream, Options{Replace: true})
		if diff := cmp.Diff([]string{"shop/cart-from-web", "shop/deny-ingress"}, r.Replaced); diff != "" {
			t.Errorf("replaced (-want +got):\n%s", diff)
		}
		// Without the input's policies, web -> cart has no evidence left.
		if diff := cmp.Diff([]string{"shop/web[Deployment] -> shop/db[Deployment] 5432/TCP"}, connections(r)); diff != "" {
			t.Errorf("connections (-want +got):\n%s", diff)
		}
	})
	t.Run("a second run replaces the first", func(t *testing.T) {
		first := generate(t, stream, Options{})
		var again []string
		again = append(again, stream)
		for _, p := range first.Policies {
			out, err := yaml.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			again = append(again, string(out))
		}
		second := generate(t, join(again...), Options{})
		if diff := cmp.Diff(policySummary(first), policySummary(second)); diff != "" {
			t.Errorf("the second run's policies differ (-first +second):\n%s", diff)
		}
		if len(second.Replaced) != len(first.Policies) {
			t.Errorf("the second run replaces %v, want the %d generated policies", second.Replaced, len(first.Policies))
		}
	})
}

// policySummary renders policies as "ns/name ingress[peer:ports ...] egress[...]", peers
// by their first pod label value.
func policySummary(r *Result) []string {
	var out []string
	peer := func(p networkingv1.NetworkPolicyPeer) string {
		if p.PodSelector != nil {
			for _, v := range p.PodSelector.MatchLabels {
				return v
			}
		}
		if p.IPBlock != nil {
			return p.IPBlock.CIDR
		}
		return "?"
	}
	ports := func(ps []networkingv1.NetworkPolicyPort) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.Port.String())
		}
		return strings.Join(s, ",")
	}
	for _, p := range r.Policies {
		line := p.Namespace + "/" + p.Name
		if len(p.Spec.Ingress) == 0 && len(p.Spec.Egress) == 0 {
			var types []string
			for _, t := range p.Spec.PolicyTypes {
				types = append(types, string(t))
			}
			line += " types[" + strings.Join(types, ",") + "]"
		}
		var in, eg []string
		for _, r := range p.Spec.Ingress {
			in = append(in, peer(r.From[0])+":"+ports(r.Ports))
		}
		for _, r := range p.Spec.Egress {
			eg = append(eg, peer(r.To[0])+":"+ports(r.Ports))
		}
		if len(in) > 0 {
			line += " ingress[" + strings.Join(in, " ") + "]"
		}
		if len(eg) > 0 {
			line += " egress[" + strings.Join(eg, " ") + "]"
		}
		out = append(out, line)
	}
	return out
}

func TestSelectors(t *testing.T) {
	labelled := func(name, labels string) string {
		return strings.Replace(deployment("shop", name, []string{"80"}, ""), "labels: {app: "+name+", pod-template-hash: abc}", "labels: {"+labels+"}", 1)
	}
	stream := join(ns("shop"),
		labelled("api", "app.kubernetes.io/name: shop, app.kubernetes.io/component: api, pod-template-hash: a"),
		labelled("web", "app.kubernetes.io/name: shop, app.kubernetes.io/component: web, pod-template-hash: b"),
		labelled("twin-a", "app: twin, pod-template-hash: c"),
		labelled("twin-b", "app: twin, pod-template-hash: d"),
		labelled("bare", "pod-template-hash: e"),
	)
	r, err := Generate(objects(t, stream), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	model := selectors(modelWorkloads(t, stream), &Result{})
	for w, sel := range model {
		got[w.Name] = sel
	}
	want := map[string]map[string]string{
		"api":    {"app.kubernetes.io/component": "api"},
		"web":    {"app.kubernetes.io/component": "web"},
		"twin-a": {"app": "twin"},
		"twin-b": {"app": "twin"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("selectors (-want +got):\n%s", diff)
	}
	if len(r.Notes) != 2 || !strings.Contains(r.Notes[0], "no pod labels tell it apart") {
		t.Errorf("notes: %v", r.Notes)
	}
}

func modelWorkloads(t *testing.T, stream string) []*netmodel.Workload {
	t.Helper()
	m, errs := netmodel.FromObjects(objects(t, stream))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return m.Workloads()
}

// TestProofCatchesMistakes: a generated set made too wide, or too narrow, fails the proof.
func TestProofCatchesMistakes(t *testing.T) {
	stream := join(ns("shop"),
		deployment("shop", "cart", []string{"8080"}, ""), svc("shop", "cart", "cart", "8080"),
		deployment("shop", "db", []string{"5432"}, ""), svc("shop", "db", "db", "5432"),
		deployment("shop", "web", nil, "env: [{name: CART_ADDR, value: \"cart:8080\"}]"))
	objs := objects(t, stream)
	for _, tc := range []struct {
		name    string
		mistake func(*networkingv1.NetworkPolicy)
		missing bool
	}{
		{"an ingress rule opened to every pod", func(p *networkingv1.NetworkPolicy) {
			if p.Name == "ringfence-cart" {
				p.Spec.Ingress[0].From = nil
			}
		}, false},
		{"a port left out", func(p *networkingv1.NetworkPolicy) {
			if p.Name == "ringfence-web" {
				p.Spec.Egress[0].Ports = nil
				p.Spec.Egress[0].To[0].PodSelector.MatchLabels = map[string]string{"app": "db"}
			}
		}, true},
		{"a default deny that isolates nothing", func(p *networkingv1.NetworkPolicy) {
			if p.Name == DefaultDenyName {
				p.Spec.PodSelector.MatchLabels = map[string]string{"app": "none"}
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Generate(objs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range r.Policies {
				tc.mistake(p)
			}
			p, err := Prove(objs, r)
			if err != nil {
				t.Fatal(err)
			}
			if p.OK() {
				t.Fatalf("the proof holds for a wrong set")
			}
			if tc.missing != (len(p.Missing) > 0) {
				t.Errorf("missing %v, extra %v", p.Missing, p.Extra)
			}
		})
	}
}

// TestAmbiguousNames: a short name resolves in the client's own namespace first, as the
// pod's DNS search path does, even when another namespace has a Service of that name.
func TestAmbiguousNames(t *testing.T) {
	stream := join(ns("a"), ns("b"),
		deployment("a", "db", []string{"5432"}, ""), svc("a", "db", "db", "5432"),
		deployment("b", "db", []string{"5432"}, ""), svc("b", "db", "db", "5432"),
		deployment("a", "app", nil, "env: [{name: LOCAL, value: \"db:5432\"}, {name: OTHER, value: \"db.b:5432\"}]"))
	r := generate(t, stream, Options{})
	want := []string{"a/app[Deployment] -> a/db[Deployment] 5432/TCP", "a/app[Deployment] -> b/db[Deployment] 5432/TCP"}
	if diff := cmp.Diff(want, connections(r)); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	// The policies tell the two db workloads apart by namespace.
	for _, p := range r.Policies {
		if p.Name == "ringfence-app" {
			if len(p.Spec.Egress) != 2 || p.Spec.Egress[0].To[0].NamespaceSelector != nil || p.Spec.Egress[1].To[0].NamespaceSelector == nil {
				t.Errorf("app's egress: %+v", p.Spec.Egress)
			}
		}
	}
}
