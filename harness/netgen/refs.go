package netgen

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Address is a host, and perhaps a port, written in a manifest: in an environment
// variable, an argument, or a ConfigMap value.
type Address struct {
	Text   string // the token it was read from
	Scheme string // "http" for http://host, "" without a scheme
	Host   string // lower-case, without a trailing dot
	Port   string // a number, a port name, or "" when none is written
}

var (
	// dnsLabel is an RFC 1123 label, lower case.
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// portName is an IANA service name, as container and Service ports are named.
	portName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// flagName is the part before "=" in --flag=value or KEY=value.
	flagName = regexp.MustCompile(`^-{0,2}[A-Za-z_][A-Za-z0-9_.-]*$`)
)

// separators split a value into tokens: whitespace, list and quoting punctuation.
func separator(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', ',', ';', '"', '\'', '`', '(', ')', '{', '}', '<', '>', '|', '[', ']':
		return true
	}
	return false
}

// Addresses returns the addresses written in a value. A token is an address when it is
// host:port, scheme://host[:port][/path], or a host of two or more labels; a bare word
// is an address only when bare is true (the value's key says it holds an address, such
// as REDIS_HOST). Tokens with shell or Kubernetes variable references ($VAR, $(VAR)),
// IP addresses and hosts that are not DNS names are not addresses of Services.
func Addresses(value string, bare bool) []Address {
	var out []Address
	for _, field := range strings.FieldsFunc(value, separator) {
		token := field
		// --flag=value and KEY=value: the value.
		if name, rest, ok := strings.Cut(token, "="); ok && flagName.MatchString(name) {
			token = rest
		}
		if a, ok := parseAddress(token, bare); ok {
			a.Text = field
			out = append(out, a)
		}
	}
	return out
}

// parseAddress reads one token.
func parseAddress(token string, bare bool) (Address, bool) {
	if token == "" || strings.Contains(token, "$") {
		return Address{}, false
	}
	var a Address
	rest := token
	if scheme, after, ok := strings.Cut(token, "://"); ok {
		if scheme == "" || !flagName.MatchString(scheme) {
			return Address{}, false
		}
		a.Scheme, rest = strings.ToLower(scheme), after
	}
	// The authority ends at the path, the query or the fragment.
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		if a.Scheme == "" && rest[i] != '/' {
			return Address{}, false
		}
		rest = rest[:i]
	}
	// user:password@host
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		host, port = rest[:i], strings.ToLower(rest[i+1:])
		if port == "" || strings.Contains(host, ":") {
			return Address{}, false // host: with nothing after, or an IPv6 address
		}
		if !validPort(port) {
			return Address{}, false
		}
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return Address{}, false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return Address{}, false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return Address{}, false
		}
	}
	// A Service name starts with a letter; a bare number is a port or a count.
	if c := labels[0][0]; c < 'a' || c > 'z' {
		return Address{}, false
	}
	if a.Scheme == "" && port == "" && len(labels) == 1 && !bare {
		return Address{}, false
	}
	// A dotted word without scheme or port, such as a file name or a Java class, is
	// kept: resolution decides whether it names a Service (name.namespace and the
	// .svc forms) and reports it otherwise only when it ends in .svc or the cluster
	// domain.
	a.Host, a.Port = host, port
	return a, true
}

// validPort reports whether a port is a number from 1 to 65535 or a port name (which has
// a letter).
func validPort(port string) bool {
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		return n > 0
	}
	return portName.MatchString(port) && strings.ContainsAny(port, "abcdefghijklmnopqrstuvwxyz")
}

// addressKey reports whether a key (an environment variable, a ConfigMap key, a flag)
// says that its value is an address, which lets a bare Service name count.
func addressKey(key string) bool {
	k := strings.ToUpper(key)
	for _, hint := range []string{"ADDR", "HOST", "URL", "URI", "ENDPOINT", "SERVER", "DSN", "UPSTREAM", "BACKEND", "BROKER"} {
		if strings.Contains(k, hint) {
			return true
		}
	}
	return false
}

// schemePorts are the ports a scheme implies when an address names none.
var schemePorts = map[string]int32{
	"http": 80, "ws": 80, "https": 443, "wss": 443, "grpc": 80, "grpcs": 443,
	"redis": 6379, "rediss": 6379, "postgres": 5432, "postgresql": 5432, "mysql": 3306,
	"mongodb": 27017, "amqp": 5672, "amqps": 5671, "nats": 4222, "memcached": 11211,
}

// ServiceName is what a host names in the cluster: a Service and its namespace.
type ServiceName struct {
	Name, Namespace string
}

// Cluster resolves a host as cluster DNS does for a pod in namespace ns, with the search
// path <ns>.svc.<domain>, svc.<domain>, <domain>: name, name.namespace,
// name.namespace.svc and name.namespace.svc.<domain>, and the same with a pod's host name
// in front (pod.name.namespace..., as a headless Service names its pods). ok is false
// for a host of none of those forms. qualified is true when the host itself says it is
// in the cluster (it ends in .svc or .svc.<domain>), so that a Service missing from the
// set is worth reporting. A host without that suffix and of more than one label is in
// the cluster only when its namespace label is a namespace of the set, which
// isNamespace answers.
func Cluster(host, ns, domain string, isNamespace func(string) bool) (name ServiceName, qualified, ok bool) {
	rest, found := strings.CutSuffix(host, ".svc."+domain)
	if !found {
		rest, found = strings.CutSuffix(host, ".svc")
	}
	labels := strings.Split(rest, ".")
	switch {
	case found && (len(labels) == 2 || len(labels) == 3):
		return ServiceName{labels[len(labels)-2], labels[len(labels)-1]}, true, true
	case found:
		return ServiceName{}, true, false
	case len(labels) == 1:
		return ServiceName{labels[0], ns}, false, true
	case (len(labels) == 2 || len(labels) == 3) && isNamespace(labels[len(labels)-1]):
		return ServiceName{labels[len(labels)-2], labels[len(labels)-1]}, false, true
	}
	return ServiceName{}, false, false
}
