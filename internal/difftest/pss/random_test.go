package pss_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
)

// randomPods is how many random pods TestRandomPods compares at every level and version
// (RINGFENCE_PSS_PODS overrides it).
const randomPods = 20000

// randomVersions are the versions the random pods are judged at: latest, and every
// version in which upstream changed a check since 1.25 (1.25 Windows exemptions; 1.27,
// 1.29, 1.32 and 1.37 sysctls; 1.31 SELinux; 1.34 probe hosts; 1.35 user namespaces and
// procMount_restricted).
var randomVersions = []string{"latest", "v1.25", "v1.27", "v1.29", "v1.31", "v1.32", "v1.34", "v1.35", "v1.37"}

// olderVersions are the versions around the earlier changes (1.8 allowPrivilegeEscalation,
// 1.19 seccomp fields, 1.22 restricted capabilities, 1.23 runAsUser) and the versions
// between changes, judged on olderPods random pods (the upstream fixtures cover every
// version).
var olderVersions = []string{"v1.0", "v1.7", "v1.8", "v1.18", "v1.19", "v1.21", "v1.22", "v1.23", "v1.24", "v1.26", "v1.30", "v1.33", "v1.36"}

const olderPods = 500

// gen draws random pods in which every field a check reads varies, each usually unset or
// harmless so that pods pass as well as fail; a hardened share starts from a pod that
// meets the restricted standard and changes a field or two.
type gen struct{ r *rand.Rand }

func (g gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

func (g gen) optBool(p float64) *bool {
	if !g.chance(p) {
		return nil
	}
	b := g.chance(0.5)
	return &b
}

var (
	capabilityNames = []corev1.Capability{
		"AUDIT_WRITE", "CHOWN", "NET_BIND_SERVICE", "SETUID", "KILL", "SYS_CHROOT",
		"NET_ADMIN", "SYS_ADMIN", "NET_RAW", "ALL", "CAP_CHOWN", "chown", "",
	}
	seccompTypes  = []corev1.SeccompProfileType{"RuntimeDefault", "Localhost", "Unconfined", ""}
	appArmorTypes = []corev1.AppArmorProfileType{"RuntimeDefault", "Localhost", "Unconfined", ""}
	seLinuxTypes  = []string{"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t", "spc_t", "unconfined_t"}
	procMounts    = []corev1.ProcMountType{"Default", "Unmasked", ""}
	sysctlNames   = []string{
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
		"net.ipv4.tcp_wmem", "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
		"kernel.msgmax", "net.core.somaxconn", "vm.swappiness", "",
	}
	appArmorAnnotationValues = []string{"runtime/default", "localhost/custom", "unconfined", "", "localhost"}
	seccompAnnotationValues  = []string{"runtime/default", "docker/default", "localhost/profile.json", "unconfined", ""}
)

func (g gen) seccomp(p float64) *corev1.SeccompProfile {
	if !g.chance(p) {
		return nil
	}
	s := &corev1.SeccompProfile{Type: pick(g, seccompTypes...)}
	if s.Type == "Localhost" {
		s.LocalhostProfile = ptr("profiles/audit.json")
	}
	return s
}

func (g gen) appArmor(p float64) *corev1.AppArmorProfile {
	if !g.chance(p) {
		return nil
	}
	a := &corev1.AppArmorProfile{Type: pick(g, appArmorTypes...)}
	if a.Type == "Localhost" {
		a.LocalhostProfile = ptr("k8s-apparmor-example")
	}
	return a
}

func (g gen) seLinux(p float64) *corev1.SELinuxOptions {
	if !g.chance(p) {
		return nil
	}
	o := &corev1.SELinuxOptions{Type: pick(g, seLinuxTypes...), Level: pick(g, "", "s0:c123,c456")}
	if g.chance(0.15) {
		o.User = "system_u"
	}
	if g.chance(0.15) {
		o.Role = "object_r"
	}
	return o
}

func (g gen) windowsOptions(p float64) *corev1.WindowsSecurityContextOptions {
	if !g.chance(p) {
		return nil
	}
	return &corev1.WindowsSecurityContextOptions{HostProcess: g.optBool(0.7), RunAsUserName: ptr(pick(g, "", "ContainerUser"))}
}

func (g gen) uid(p float64) *int64 {
	if !g.chance(p) {
		return nil
	}
	return ptr(pick[int64](g, 0, 0, 1000, 65534))
}

func (g gen) securityContext() *corev1.SecurityContext {
	if g.chance(0.2) {
		return nil
	}
	sc := &corev1.SecurityContext{
		Privileged:               g.optBool(0.15),
		AllowPrivilegeEscalation: g.optBool(0.5),
		RunAsNonRoot:             g.optBool(0.4),
		RunAsUser:                g.uid(0.25),
		SeccompProfile:           g.seccomp(0.3),
		AppArmorProfile:          g.appArmor(0.15),
		SELinuxOptions:           g.seLinux(0.15),
		WindowsOptions:           g.windowsOptions(0.1),
		ReadOnlyRootFilesystem:   g.optBool(0.3),
	}
	if g.chance(0.15) {
		sc.ProcMount = ptr(pick(g, procMounts...))
	}
	if g.chance(0.6) {
		caps := &corev1.Capabilities{}
		for range g.r.IntN(3) {
			caps.Add = append(caps.Add, pick(g, capabilityNames...))
		}
		for range g.r.IntN(3) {
			caps.Drop = append(caps.Drop, pick[corev1.Capability](g, "ALL", "ALL", "NET_RAW", "all"))
		}
		sc.Capabilities = caps
	}
	return sc
}

func (g gen) handler(p float64) (*corev1.HTTPGetAction, *corev1.TCPSocketAction) {
	host := func() string {
		if g.chance(p) {
			return pick(g, "10.0.0.1", "localhost", "metadata.google.internal")
		}
		return ""
	}
	switch g.r.IntN(3) {
	case 0:
		return &corev1.HTTPGetAction{Path: "/healthz", Port: intOrString(8080), Host: host()}, nil
	case 1:
		return nil, &corev1.TCPSocketAction{Port: intOrString(8080), Host: host()}
	}
	return nil, nil
}

func (g gen) probe() *corev1.Probe {
	if !g.chance(0.3) {
		return nil
	}
	p := &corev1.Probe{}
	p.HTTPGet, p.TCPSocket = g.handler(0.3)
	if p.HTTPGet == nil && p.TCPSocket == nil {
		p.Exec = &corev1.ExecAction{Command: []string{"true"}}
	}
	return p
}

func (g gen) lifecycleHandler() *corev1.LifecycleHandler {
	if !g.chance(0.3) {
		return nil
	}
	h := &corev1.LifecycleHandler{}
	h.HTTPGet, h.TCPSocket = g.handler(0.3)
	if h.HTTPGet == nil && h.TCPSocket == nil {
		h.Sleep = &corev1.SleepAction{Seconds: 1}
	}
	return h
}

func (g gen) container(name string, ports bool) corev1.Container {
	c := corev1.Container{Name: name, Image: "registry.example/app:1.0", SecurityContext: g.securityContext()}
	if ports {
		for range g.r.IntN(3) {
			port := corev1.ContainerPort{ContainerPort: pick[int32](g, 80, 8080, 9090), Protocol: pick[corev1.Protocol](g, "TCP", "UDP", "")}
			if g.chance(0.15) {
				port.HostPort = pick[int32](g, 80, 8080, 30000)
			}
			c.Ports = append(c.Ports, port)
		}
		c.LivenessProbe, c.ReadinessProbe, c.StartupProbe = g.probe(), g.probe(), g.probe()
	}
	if g.chance(0.2) {
		c.Lifecycle = &corev1.Lifecycle{PostStart: g.lifecycleHandler(), PreStop: g.lifecycleHandler()}
	}
	return c
}

func (g gen) volume(i int) corev1.Volume {
	v := corev1.Volume{Name: fmt.Sprintf("vol%d", i)}
	switch g.r.IntN(16) {
	case 0:
		v.HostPath = &corev1.HostPathVolumeSource{Path: "/var/run/docker.sock"}
	case 1:
		v.NFS = &corev1.NFSVolumeSource{Server: "nfs.example", Path: "/export"}
	case 2:
		v.ISCSI = &corev1.ISCSIVolumeSource{TargetPortal: "10.0.0.5:3260", IQN: "iqn.2001-04.com.example:storage", Lun: 0}
	case 3:
		v.GitRepo = &corev1.GitRepoVolumeSource{Repository: "https://example.com/repo.git"}
	case 4:
		v.FlexVolume = &corev1.FlexVolumeSource{Driver: "example/lvm"}
	case 5:
		v.AWSElasticBlockStore = &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "vol-1"}
	case 6:
		v.CephFS = &corev1.CephFSVolumeSource{Monitors: []string{"10.0.0.1:6789"}}
	case 7: // no source: the API server stores an emptyDir
	case 8:
		v.EmptyDir = &corev1.EmptyDirVolumeSource{}
	case 9:
		v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}
	case 10:
		v.Secret = &corev1.SecretVolumeSource{SecretName: "s"}
	case 11:
		v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}
	case 12:
		v.Projected = &corev1.ProjectedVolumeSource{}
	case 13:
		v.DownwardAPI = &corev1.DownwardAPIVolumeSource{}
	case 14:
		v.CSI = &corev1.CSIVolumeSource{Driver: "csi.example"}
	case 15:
		v.Image = &corev1.ImageVolumeSource{Reference: "registry.example/data:1"}
	}
	return v
}

// pod draws a random pod; names are unique within a pod so annotations can name them.
func (g gen) pod(name string) *corev1.Pod {
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "pss"},
	}
	spec := &p.Spec
	spec.HostNetwork = g.chance(0.08)
	spec.HostPID = g.chance(0.05)
	spec.HostIPC = g.chance(0.05)
	spec.HostUsers = g.optBool(0.2)
	if g.chance(0.25) {
		spec.OS = &corev1.PodOS{Name: pick[corev1.OSName](g, "windows", "linux", "Windows")}
	}
	if g.chance(0.7) {
		psc := &corev1.PodSecurityContext{
			RunAsNonRoot:    g.optBool(0.5),
			RunAsUser:       g.uid(0.3),
			SeccompProfile:  g.seccomp(0.5),
			AppArmorProfile: g.appArmor(0.15),
			SELinuxOptions:  g.seLinux(0.15),
			WindowsOptions:  g.windowsOptions(0.1),
		}
		for range g.r.IntN(3) {
			psc.Sysctls = append(psc.Sysctls, corev1.Sysctl{Name: pick(g, sysctlNames...), Value: "1"})
		}
		spec.SecurityContext = psc
	}
	var names []string
	for i := range 1 + g.r.IntN(3) {
		n := fmt.Sprintf("app%d", i)
		spec.Containers = append(spec.Containers, g.container(n, true))
		names = append(names, n)
	}
	for i := range g.r.IntN(3) {
		n := fmt.Sprintf("init%d", i)
		spec.InitContainers = append(spec.InitContainers, g.container(n, g.chance(0.5)))
		names = append(names, n)
	}
	for i := range g.r.IntN(3) {
		n := fmt.Sprintf("debug%d", i)
		ec := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(g.container(n, false))}
		spec.EphemeralContainers = append(spec.EphemeralContainers, ec)
		names = append(names, n)
	}
	for i := range g.r.IntN(4) {
		spec.Volumes = append(spec.Volumes, g.volume(i))
	}
	annotations := map[string]string{}
	if g.chance(0.25) {
		annotations["container.apparmor.security.beta.kubernetes.io/"+pick(g, append(names, "absent")...)] = pick(g, appArmorAnnotationValues...)
	}
	if g.chance(0.2) {
		annotations["seccomp.security.alpha.kubernetes.io/pod"] = pick(g, seccompAnnotationValues...)
	}
	if g.chance(0.2) {
		annotations["container.seccomp.security.alpha.kubernetes.io/"+pick(g, append(names, "absent")...)] = pick(g, seccompAnnotationValues...)
	}
	if len(annotations) > 0 {
		p.Annotations = annotations
	}
	if g.chance(0.3) {
		g.harden(p)
		for range g.r.IntN(3) {
			g.mutate(p)
		}
	}
	return p
}

// harden makes a pod meet the restricted standard of every version.
func (g gen) harden(p *corev1.Pod) {
	spec := &p.Spec
	spec.HostNetwork, spec.HostPID, spec.HostIPC = false, false, false
	spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr(true),
		SeccompProfile: &corev1.SeccompProfile{Type: "RuntimeDefault"},
	}
	spec.Volumes = nil
	p.Annotations = nil
	harden := func(c *corev1.Container) {
		c.SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
		for i := range c.Ports {
			c.Ports[i].HostPort = 0
		}
		for _, probe := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if probe != nil {
				clearHosts(probe.HTTPGet, probe.TCPSocket)
			}
		}
		if c.Lifecycle != nil {
			for _, h := range []*corev1.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
				if h != nil {
					clearHosts(h.HTTPGet, h.TCPSocket)
				}
			}
		}
	}
	for i := range spec.Containers {
		harden(&spec.Containers[i])
	}
	for i := range spec.InitContainers {
		harden(&spec.InitContainers[i])
	}
	for i := range spec.EphemeralContainers {
		harden((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
}

func clearHosts(h *corev1.HTTPGetAction, t *corev1.TCPSocketAction) {
	if h != nil {
		h.Host = ""
	}
	if t != nil {
		t.Host = ""
	}
}

// mutate changes one field of a (hardened) pod to a random value.
func (g gen) mutate(p *corev1.Pod) {
	spec := &p.Spec
	all := func() []*corev1.Container {
		var out []*corev1.Container
		for i := range spec.InitContainers {
			out = append(out, &spec.InitContainers[i])
		}
		for i := range spec.Containers {
			out = append(out, &spec.Containers[i])
		}
		for i := range spec.EphemeralContainers {
			out = append(out, (*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
		}
		return out
	}()
	c := all[g.r.IntN(len(all))]
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	sc := c.SecurityContext
	switch g.r.IntN(14) {
	case 0:
		sc.AllowPrivilegeEscalation = g.optBool(0.5)
	case 1:
		sc.Capabilities = &corev1.Capabilities{Add: []corev1.Capability{pick(g, capabilityNames...)}, Drop: []corev1.Capability{pick[corev1.Capability](g, "ALL", "NET_RAW")}}
	case 2:
		sc.RunAsNonRoot = g.optBool(0.7)
	case 3:
		sc.RunAsUser = g.uid(1)
	case 4:
		sc.SeccompProfile = g.seccomp(1)
	case 5:
		spec.SecurityContext.SeccompProfile = g.seccomp(0.5)
	case 6:
		spec.SecurityContext.RunAsNonRoot = g.optBool(0.5)
	case 7:
		spec.OS = &corev1.PodOS{Name: "windows"}
	case 8:
		spec.HostUsers = ptr(false)
	case 9:
		sc.ProcMount = ptr(pick(g, procMounts...))
	case 10:
		spec.Volumes = append(spec.Volumes, g.volume(len(spec.Volumes)))
	case 11:
		spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: pick(g, sysctlNames...), Value: "1"}}
	case 12:
		sc.SELinuxOptions = g.seLinux(1)
	case 13:
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intOrString(80), Host: pick(g, "", "10.1.2.3")}}}
	}
}

func ptr[T any](v T) *T { return &v }

// TestRandomPods: random pods, as Pods and as the pod templates of every workload kind,
// get upstream's verdict and the same failing checks at both levels and every version of
// randomVersions.
func TestRandomPods(t *testing.T) {
	t.Parallel() // alongside the other long tests: each has phases that use one core
	n := randomPods
	if s := os.Getenv("RINGFENCE_PSS_PODS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			t.Fatalf("RINGFENCE_PSS_PODS=%q: want a positive count", s)
		}
	}
	rf := newRingfence(t, nil)
	for _, run := range []struct {
		pods     int
		versions []string
	}{{n, randomVersions}, {min(n, olderPods), olderVersions}} {
		stats := compareRandom(t, rf, run.pods, run.versions, 40)
		t.Logf("%d random pods (seed 1) at both levels and %v: %d comparisons (%d allowed, %d denied upstream), %d disagreements; %d pods failed some check at restricted %s, %d at baseline",
			run.pods, run.versions, stats.compared, stats.allowed, stats.compared-stats.allowed, stats.disagreements, stats.failRestricted, run.versions[0], stats.failBaseline)
		if stats.allowed == 0 || stats.allowed == stats.compared {
			t.Errorf("the generator gave %d allowed of %d: it must give both verdicts", stats.allowed, stats.compared)
		}
	}
}

type randomStats struct {
	compared, allowed, disagreements int
	failRestricted, failBaseline     int
}

// compareRandom compares n seeded random pods at both levels and the versions, reporting at
// most report disagreements as errors (report < 0 reports none).
func compareRandom(t testing.TB, rf *ringfence, n int, versions []string, report int) randomStats {
	t.Helper()
	up := newUpstream(t)
	g := gen{rand.New(rand.NewPCG(1, 2))}
	var s randomStats
	// The pods are drawn and judged randomChunk at a time, in the order of the seed: the
	// heap then holds one chunk, not every pod, its Rego value and its findings, which
	// kept the heap near the memory limit, where the collector runs all the time.
	for first := 0; first < n; first += randomChunk {
		pods := make([]*corev1.Pod, min(randomChunk, n-first))
		objs := make([]harness.Object, len(pods))
		for j := range pods {
			i := first + j
			pods[j] = g.pod(fmt.Sprintf("p%d", i))
			objs[j] = object(t, pods[j])
			if k := i % (len(workloadKinds) + 1); k > 0 {
				kind := workloadKinds[k-1]
				objs[j] = harness.FromMap(wrap(objs[j].Data, kind[0], kind[1], pods[j].Name))
			}
		}
		for _, level := range []string{"baseline", "restricted"} {
			for _, version := range versions {
				lv := levelVersion{level, version}
				got := rf.failing(t, lv, objs)
				for j, pod := range pods {
					want, allowed := up.failing(t, lv, defaulted(pod))
					s.compared++
					if allowed {
						s.allowed++
					}
					if version == versions[0] && !allowed {
						if level == "restricted" {
							s.failRestricted++
						} else {
							s.failBaseline++
						}
					}
					g := got[pod.Name]
					if g == nil {
						g = checkSet{}
					}
					if !g.equal(want) {
						s.disagreements++
						if report >= 0 && s.disagreements <= report {
							t.Errorf("random pod %d (as %s) at %s: upstream fails %v, ringfence %v\n%s", first+j, objs[j].Data["kind"], lv, want, g, describe(pod))
						}
					}
				}
			}
		}
	}
	return s
}

// randomChunk is how many random pods compareRandom judges at a time.
const randomChunk = 1000

func intOrString(port int) intstr.IntOrString { return intstr.FromInt32(int32(port)) }

// describe prints a pod as YAML for a disagreement report.
func describe(pod *corev1.Pod) string {
	out, err := yaml.Marshal(pod)
	if err != nil {
		return fmt.Sprintf("(cannot print the pod: %v)", err)
	}
	return string(out)
}
