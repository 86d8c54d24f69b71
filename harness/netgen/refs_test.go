package netgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		value string
		bare  bool
		want  []Address
	}{
		{"productcatalogservice:3550", false, []Address{{Host: "productcatalogservice", Port: "3550"}}},
		{"redis-cart:6379", false, []Address{{Host: "redis-cart", Port: "6379"}}},
		{"cart", false, nil},
		{"cart", true, []Address{{Host: "cart"}}},
		{"cart.shop", false, []Address{{Host: "cart.shop"}}},
		{"cart.shop.svc", false, []Address{{Host: "cart.shop.svc"}}},
		{"cart.shop.svc.cluster.local:8080", false, []Address{{Host: "cart.shop.svc.cluster.local", Port: "8080"}}},
		{"cart.shop.svc.cluster.local.", false, []Address{{Host: "cart.shop.svc.cluster.local"}}},
		{"http://cart", false, []Address{{Scheme: "http", Host: "cart"}}},
		{"HTTPS://Cart.Shop:8443/api/v1?x=1", false, []Address{{Scheme: "https", Host: "cart.shop", Port: "8443"}}},
		{"redis://:secret@redis-master:6379/0", false, []Address{{Scheme: "redis", Host: "redis-master", Port: "6379"}}},
		{"postgres://app:pw@db.data.svc:5432/app?sslmode=disable", false, []Address{{Scheme: "postgres", Host: "db.data.svc", Port: "5432"}}},
		{"cart:http", false, []Address{{Host: "cart", Port: "http"}}},
		{"--upstream=cart:8080", false, []Address{{Host: "cart", Port: "8080"}}},
		{"-Dserver=cart:8080", false, []Address{{Host: "cart", Port: "8080"}}},
		{"kafka-0.kafka:9092,kafka-1.kafka:9092", false, []Address{{Host: "kafka-0.kafka", Port: "9092"}, {Host: "kafka-1.kafka", Port: "9092"}}},
		{"brokers: [a:1, b:2]", false, []Address{{Host: "a", Port: "1"}, {Host: "b", Port: "2"}}},
		{"$(CART_HOST):8080", false, nil},
		{"${CART_HOST}:8080", false, nil},
		{"10.0.0.1:8080", false, nil},
		{"[::1]:8080", false, nil},
		{"8080", true, nil},
		{"true", false, nil},
		{"true", true, []Address{{Host: "true"}}},
		{"under_score:80", false, nil},
		{"cart:99999", false, nil},
		{"cart:", false, nil},
		{"/var/run/app.sock", false, nil},
		{"", true, nil},
	} {
		got := Addresses(tc.value, tc.bare)
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Address{}, "Text"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Addresses(%q, bare %v) (-want +got):\n%s", tc.value, tc.bare, diff)
		}
	}
}

func TestCluster(t *testing.T) {
	namespaces := map[string]bool{"shop": true, "data": true}
	isNS := func(ns string) bool { return namespaces[ns] }
	for _, tc := range []struct {
		host            string
		want            ServiceName
		qualified, isOK bool
	}{
		{"cart", ServiceName{"cart", "web"}, false, true},
		{"cart.shop", ServiceName{"cart", "shop"}, false, true},
		{"cart.elsewhere", ServiceName{}, false, false}, // not a namespace of the set: a domain
		{"cart.shop.svc", ServiceName{"cart", "shop"}, true, true},
		{"cart.shop.svc.cluster.local", ServiceName{"cart", "shop"}, true, true},
		{"cart.unknown.svc.cluster.local", ServiceName{"cart", "unknown"}, true, true},
		{"db-0.db.data.svc.cluster.local", ServiceName{"db", "data"}, true, true}, // a headless Service's pod
		{"db-0.db.data", ServiceName{"db", "data"}, false, true},
		{"cart.shop.svc.other.domain", ServiceName{}, false, false},
		{"a.b.c.d.svc.cluster.local", ServiceName{}, true, false},
		{"storage.googleapis.com", ServiceName{}, false, false},
	} {
		got, qualified, ok := Cluster(tc.host, "web", "cluster.local", isNS)
		if got != tc.want || qualified != tc.qualified || ok != tc.isOK {
			t.Errorf("Cluster(%q) = %v, qualified %v, ok %v; want %v, %v, %v", tc.host, got, qualified, ok, tc.want, tc.qualified, tc.isOK)
		}
	}
}

func TestIntentPorts(t *testing.T) {
	intents := []byte(`{"intents": [{"name": "scrape", "from": {"namespaces": ["monitoring"]}, "to": {"podSelector": {"matchLabels": {"app": "web"}}}, "ports": [9090, "53/udp", "metrics"]}]}`)
	dir := t.TempDir()
	file := dir + "/intents.json"
	writeFile(t, file, intents)
	got, err := LoadIntents(file)
	if err != nil {
		t.Fatal(err)
	}
	var ports []string
	for _, p := range got[0].Ports {
		ports = append(ports, p.String())
	}
	if diff := cmp.Diff([]string{"9090/TCP", "53/UDP", "metrics/TCP"}, ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	for _, bad := range []string{
		`{"intents": [{"name": "x", "from": {}, "to": {}, "ports": [70000]}]}`,
		`{"intents": [{"name": "x", "from": {}, "to": {}, "ports": ["80/ICMP"]}]}`,
		`{"intents": [{"name": "x", "from": {}}]}`,
		`{"intents": [{"from": {}, "to": {}}]}`,
		`{"intents": [{"name": "x", "from": {"cidr": "10.0.0.0/8"}, "to": {"cidr": "10.0.0.0/8"}}]}`,
		`{"intents": [{"name": "x", "from": {"cidr": "nope"}, "to": {}}]}`,
		`{"intents": [{"name": "x", "form": {}, "to": {}}]}`,
	} {
		writeFile(t, file, []byte(bad))
		if _, err := LoadIntents(file); err == nil {
			t.Errorf("LoadIntents accepted %s", bad)
		}
	}
}

// TestReadmeIntents loads the intents file the README shows.
func TestReadmeIntents(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(raw), "```yaml\nintents:\n")
	if !ok {
		t.Fatal("the README shows no intents file")
	}
	block, _, _ := strings.Cut(after, "```")
	file := filepath.Join(t.TempDir(), "intents.yaml")
	writeFile(t, file, []byte("intents:\n"+block))
	intents, err := LoadIntents(file)
	if err != nil {
		t.Fatalf("the README's intents file: %v", err)
	}
	if len(intents) != 2 {
		t.Errorf("the README's intents file has %d intents, want 2", len(intents))
	}
}
