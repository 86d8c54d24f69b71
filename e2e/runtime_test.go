package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/internal/fixtures"
)

const fixturesDir = "../fixtures"

// verdict is one finding as every runtime can report it.
type verdict struct {
	Rule, Message, Field string
}

func sortVerdicts(v []verdict) []verdict {
	slices.SortFunc(v, func(a, b verdict) int {
		return strings.Compare(a.Rule+"\x00"+a.Message+"\x00"+a.Field, b.Rule+"\x00"+b.Message+"\x00"+b.Field)
	})
	return v
}

// engineCache compiles one engine per fixture configuration (most fixtures have none)
// instead of one per fixture and runtime: compiling every rule is most of the cost.
type engineCache struct {
	mu   sync.Mutex
	base *harness.Engine // the rules, compiled once
	byID map[string]*harness.Engine
}

var engines = &engineCache{byID: map[string]*harness.Engine{}}

func (c *engineCache) get(cfg config.Config) (*harness.Engine, error) {
	key, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[string(key)]; ok {
		return e, nil
	}
	if c.base == nil {
		// The rules are compiled once; each configuration reuses them.
		if c.base, err = harness.New(context.Background()); err != nil {
			return nil, err
		}
	}
	e, err := c.base.Reconfigured(cfg)
	if err != nil {
		return nil, err
	}
	c.byID[string(key)] = e
	return e, nil
}

// libraryVerdicts evaluates a fixture file with the library, the fixture's parameters
// applied, and returns the findings of the rules that run in runtime.
func libraryVerdicts(t *testing.T, f fixtures.Fixture, runtime string) []verdict {
	t.Helper()
	return libraryVerdictsUnder(t, f, f.Config(), runtime)
}

// libraryVerdictsUnder is libraryVerdicts with the configuration cfg, such as that of
// the fixture's group.
func libraryVerdictsUnder(t *testing.T, f fixtures.Fixture, cfg config.Config, runtime string) []verdict {
	t.Helper()
	return libraryVerdictsOf(t, []string{f.Path}, cfg, runtime)
}

// libraryVerdictsOf is libraryVerdictsUnder for the objects of several files together.
func libraryVerdictsOf(t *testing.T, paths []string, cfg config.Config, runtime string) []verdict {
	t.Helper()
	eng, err := engines.get(cfg)
	if err != nil {
		t.Fatalf("%s: %v", paths, err)
	}
	rep, err := eng.EvaluateFiles(context.Background(), paths, nil)
	if err != nil {
		t.Fatalf("%s: %v", paths, err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("%s: %v", paths, rep.Errors)
	}
	out := []verdict{}
	for _, fd := range rep.Findings {
		if r, _ := eng.Rule(fd.Rule); r.RunsIn(runtime) {
			out = append(out, verdict{fd.Rule, fd.Message, fd.Field})
		}
	}
	return sortVerdicts(out)
}

// fixtureGroup is fixtures that a runtime evaluates under one configuration.
type fixtureGroup struct {
	Config   config.Config
	Fixtures []fixtures.Fixture
}

// parameterGroups gives the configurations to compare the fixtures under: first every
// fixture under the defaults, then the fixtures with parameters or exempt images again,
// in as few configurations as keep every rule's settings (its parameters and its image
// exemption) those of its own fixture: groups that hold at most one setting per rule. A
// rule reads only its own parameters and exemptions, so each fixture still meets its rule
// with its settings, while a runtime that takes the configuration when it loads the rules
// (a bundle, a server) loads it once per group instead of once per fixture. The library
// is asked under the same configuration.
func parameterGroups(all []fixtures.Fixture) []fixtureGroup {
	groups := []fixtureGroup{{Fixtures: all}}
	type setting struct {
		params map[string]any
		images []string
	}
	taken := []map[string]setting{nil}
	for _, f := range all {
		if !f.Configured() {
			continue
		}
		want := setting{f.Parameters, f.ExemptImages}
		i := 1
		for ; i < len(groups); i++ {
			if s, ok := taken[i][f.Rule]; !ok || reflect.DeepEqual(s, want) {
				break
			}
		}
		if i == len(groups) {
			groups = append(groups, fixtureGroup{Config: config.Config{Parameters: map[string]map[string]any{}}})
			taken = append(taken, map[string]setting{})
		}
		if _, ok := taken[i][f.Rule]; !ok {
			taken[i][f.Rule] = want
			if f.Parameters != nil {
				groups[i].Config.Parameters[f.Rule] = f.Parameters
			}
			if e, ok := f.ImageExemption(); ok {
				e.Reason = "fixtures of " + f.Rule
				groups[i].Config.Exemptions = append(groups[i].Config.Exemptions, e)
			}
		}
		groups[i].Fixtures = append(groups[i].Fixtures, f)
	}
	return groups
}

func allFixtures(t *testing.T) []fixtures.Fixture {
	t.Helper()
	all, err := fixtures.All(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no fixtures")
	}
	return all
}

// freeAddr returns a loopback address with a port nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// process is a program a test started; it is stopped when the test ends.
type process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
	done   chan struct{}
	err    error
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.Write(b)
}

// Output is everything the program wrote so far.
func (p *process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// start runs a program in the background, killing it when the test ends or after limit.
func start(t *testing.T, limit time.Duration, name string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	p := &process{cmd: exec.CommandContext(ctx, name, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p, p
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// exited waits up to limit for the program to exit on its own.
func (p *process) exited(limit time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(limit):
		return false
	}
}

// waitHTTP polls url until it answers 200, the program exits, or limit passes.
func waitHTTP(t *testing.T, p *process, url string, limit time.Duration) error {
	t.Helper()
	return waitHTTPWith(t, p, &http.Client{Timeout: time.Second}, url, limit)
}

// waitHTTPWith is waitHTTP through client, for servers that need one with TLS settings.
func waitHTTPWith(t *testing.T, p *process, client *http.Client, url string, limit time.Duration) error {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("exited (%v): %s", p.err, p.Output())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %s", url, limit, p.Output())
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// binDir holds the ringfence binary TestMain builds for the tests that run it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ringfence-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildRingfence sync.Once

// ringfenceBinary builds cmd/ringfence once per test run.
func ringfenceBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "ringfence")
	buildRingfence.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/ringfence").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v: %s", err, out)
		}
	})
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("ringfence binary: %v", err)
	}
	return bin
}

// runRingfence runs the binary and returns its combined output and exit code.
func runRingfence(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	return runRingfenceEnv(t, bin, nil, args...)
}

// runRingfenceEnv is runRingfence with env ("KEY=value") added to the test's environment.
func runRingfenceEnv(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("ringfence %v: %v", args, err)
	return "", -1
}
