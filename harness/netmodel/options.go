package netmodel

import (
	"fmt"
	"strings"
)

// HostNetwork says how the model treats pods that run on the host network
// (spec.hostNetwork). The NetworkPolicy API leaves them to the network plugin: some
// plugins neither isolate them nor match them as peers (their traffic leaves from the
// node's address), most apply policies to them as to any pod.
type HostNetwork string

const (
	// HostNetworkUnprotected takes host-network pods to be outside NetworkPolicy: never
	// isolated, and never selected as peers by pod or namespace selectors. It is the
	// default, as it never hides a path a plugin may leave open.
	HostNetworkUnprotected HostNetwork = "unprotected"
	// HostNetworkPod treats host-network pods as any pod: the policies that select them
	// isolate them, and selectors match them as peers.
	HostNetworkPod HostNetwork = "pod"
)

// HostNetworkModes are the HostNetwork values, the default first.
var HostNetworkModes = []HostNetwork{HostNetworkUnprotected, HostNetworkPod}

// ParseHostNetwork reads a HostNetwork value by name; "" is the default.
func ParseHostNetwork(s string) (HostNetwork, error) {
	switch HostNetwork(s) {
	case "":
		return HostNetworkUnprotected, nil
	case HostNetworkUnprotected, HostNetworkPod:
		return HostNetwork(s), nil
	}
	names := make([]string, len(HostNetworkModes))
	for i, h := range HostNetworkModes {
		names[i] = string(h)
	}
	return "", fmt.Errorf("host network %q: want one of %s", s, strings.Join(names, ", "))
}

// Option tunes how a model is built.
type Option func(*settings)

type settings struct {
	hostNetwork HostNetwork
	labelKeys   []string
}

func newSettings(opts []Option) settings {
	s := settings{hostNetwork: HostNetworkUnprotected}
	for _, o := range opts {
		o(&s)
	}
	if _, err := ParseHostNetwork(string(s.hostNetwork)); err != nil {
		// Callers validate with ParseHostNetwork; an unknown value gets the safe default,
		// which Model.HostNetwork reports.
		s.hostNetwork = HostNetworkUnprotected
	}
	return s
}

// WithHostNetwork sets how host-network pods are treated (default HostNetworkUnprotected;
// "" is the default too, and an unknown value falls back to it).
func WithHostNetwork(h HostNetwork) Option {
	return func(s *settings) {
		if h == "" {
			h = HostNetworkUnprotected
		}
		s.hostNetwork = h
	}
}

// WithLabelKeys names pod label keys that selectors outside the model read, such as the
// podSelectors of segmentation invariants. FromObjects groups the pods of a controller
// into one workload only when no selector can tell them apart; the model knows the keys
// its policies read, and these are added to them.
func WithLabelKeys(keys ...string) Option {
	return func(s *settings) { s.labelKeys = append(s.labelKeys, keys...) }
}
