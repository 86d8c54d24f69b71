// Package kubeserver runs a real Kubernetes control plane on loopback for tests: etcd,
// kube-apiserver and, when asked, kube-controller-manager with chosen controllers, all
// built from the Go module proxy at pinned versions (internal/kubetools, installed by
// .ci/tools.sh). Clients authenticate as an administrator with a static token; every
// process is stopped by Stop.
package kubeserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// Options says what to run.
type Options struct {
	// Bin is the directory with the etcd and kube binaries.
	Bin string
	// Dir holds data, certificates and logs; it must exist (a test's t.TempDir()).
	Dir string
	// Controllers, when not empty, also runs kube-controller-manager with these
	// controllers only (--controllers).
	Controllers []string
	// APIServerArgs are added to kube-apiserver's flags.
	APIServerArgs []string
	// Users are extra static-token users, by name: each gets its own token.
	Users map[string][]string // user name -> groups
	// StartTimeout bounds waiting for the API server to become ready (default 3 minutes).
	StartTimeout time.Duration
}

// Server is a running control plane.
type Server struct {
	// URL is the API server's address (https://127.0.0.1:PORT).
	URL string
	// Tokens are the static tokens by user name; "admin" is in system:masters.
	Tokens map[string]string
	// Kubeconfig is the path of a kubeconfig file for admin.
	Kubeconfig string
	dir        string
	procs      []*process
}

type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  string
}

// Start starts the control plane and waits until the API server is ready. On error,
// whatever was started is stopped again.
func Start(ctx context.Context, o Options) (_ *Server, err error) {
	s := &Server{dir: o.Dir, Tokens: map[string]string{}}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	if err := s.start(ctx, "etcd", filepath.Join(o.Bin, "etcd"),
		"--data-dir", filepath.Join(o.Dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", "http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-advertise-peer-urls", "http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-cluster", "default=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--log-level", "warn", "--quota-backend-bytes", strconv.Itoa(2<<30),
	); err != nil {
		return nil, err
	}

	users := map[string][]string{"admin": {"system:masters"}}
	for name, groups := range o.Users {
		users[name] = groups
	}
	var tokens strings.Builder
	i := 0
	for name, groups := range users {
		tok, err := randomToken()
		if err != nil {
			return nil, err
		}
		s.Tokens[name] = tok
		fmt.Fprintf(&tokens, "%s,%s,uid-%d,%q\n", tok, name, i, strings.Join(groups, ","))
		i++
	}
	tokenFile := filepath.Join(o.Dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(tokens.String()), 0o600); err != nil {
		return nil, fmt.Errorf("writing token file: %w", err)
	}
	keyFile, pubFile, err := writeServiceAccountKey(o.Dir)
	if err != nil {
		return nil, err
	}
	s.URL = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	args := []string{"apiserver",
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", strconv.Itoa(ports[2]),
		"--cert-dir", filepath.Join(o.Dir, "certs"),
		"--token-auth-file", tokenFile,
		"--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", pubFile, "--service-account-signing-key-file", keyFile,
		"--service-cluster-ip-range", "10.0.0.0/16", // room for the benchmarks' thousands of Services
		"--endpoint-reconciler-type", "none",
		"--profiling=false",
		// Clusters run privileged pods (CNI agents, log collectors); the examples have some.
		"--allow-privileged=true",
	}
	if err := s.start(ctx, "kube-apiserver", filepath.Join(o.Bin, "kube"), append(args, o.APIServerArgs...)...); err != nil {
		return nil, err
	}
	timeout := o.StartTimeout
	if timeout == 0 {
		timeout = 3 * time.Minute
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		return nil, err
	}
	s.Kubeconfig = filepath.Join(o.Dir, "kubeconfig")
	if err := os.WriteFile(s.Kubeconfig, []byte(s.kubeconfig("admin")), 0o600); err != nil {
		return nil, fmt.Errorf("writing kubeconfig: %w", err)
	}
	if len(o.Controllers) > 0 {
		if err := s.start(ctx, "kube-controller-manager", filepath.Join(o.Bin, "kube"), "controller-manager",
			"--kubeconfig", s.Kubeconfig,
			"--controllers", strings.Join(o.Controllers, ","),
			"--leader-elect=false", "--secure-port=0",
		); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Config is a client configuration for the user with this static token name.
func (s *Server) Config(user string) *rest.Config {
	return &rest.Config{
		Host:            s.URL,
		BearerToken:     s.Tokens[user],
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, // the server's self-signed loopback certificate
		QPS:             -1,                                   // no client-side rate limit
	}
}

// KubeconfigFor writes a kubeconfig for user and returns its path.
func (s *Server) KubeconfigFor(user string) (string, error) {
	path := filepath.Join(s.dir, "kubeconfig-"+user)
	if err := os.WriteFile(path, []byte(s.kubeconfig(user)), 0o600); err != nil {
		return "", fmt.Errorf("writing kubeconfig: %w", err)
	}
	return path, nil
}

func (s *Server) kubeconfig(user string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: %s
  user:
    token: %s
contexts:
- name: test
  context: {cluster: test, user: %s}
current-context: test
`, s.URL, user, s.Tokens[user], user)
}

// Log returns what the named process ("etcd", "kube-apiserver",
// "kube-controller-manager") has written so far.
func (s *Server) Log(name string) string {
	for _, p := range s.procs {
		if p.name == name {
			b, _ := os.ReadFile(p.log)
			return string(b)
		}
	}
	return ""
}

// StopProcess stops one process (for tests of what clients do when the server goes away).
func (s *Server) StopProcess(name string) {
	for _, p := range s.procs {
		if p.name == name {
			p.stop()
		}
	}
}

// Stop stops every process, newest first, and waits for them.
func (s *Server) Stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.procs[i].stop()
	}
}

func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (s *Server) start(ctx context.Context, name, bin string, args ...string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (install it with .ci/tools.sh kube)", name, err)
	}
	logPath := filepath.Join(s.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	return ctx.Err()
}

// waitReady polls /readyz until it answers 200, a process exits, or the time is up.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg := s.Config("admin")
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		return fmt.Errorf("client transport: %w", err)
	}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	var last string
	for {
		for _, p := range s.procs {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited while starting (%v):\n%s", p.name, p.err, tail(s.Log(p.name), 40))
			default:
			}
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("readyz: %d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready after %s (%s):\n%s", timeout, last, tail(s.Log("kube-apiserver"), 40))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func writeServiceAccountKey(dir string) (keyFile, pubFile string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", fmt.Errorf("service account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("service account key: %w", err)
	}
	keyFile, pubFile = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	err = errors.Join(
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600),
		os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600),
	)
	return keyFile, pubFile, err
}
