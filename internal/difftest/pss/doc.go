// Package pss holds the differential tests of ringfence's Pod Security Standards rules
// (policies/lib/pss.rego and the rules that carry a podSecurity check in their METADATA)
// against the upstream evaluator, k8s.io/pod-security-admission's policy package: its own
// test fixtures and random pods must get the same verdict and the same failing checks at
// every level and version.
package pss
