package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium (Debian's package) with the network shut: every host
// name unresolvable, a proxy that answers nothing, and the page's requests emulated
// offline. It returns a context for chromedp and a func that returns the console errors,
// warnings and exceptions the pages raised so far.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	bin := tool(t, "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("proxy-server", "127.0.0.1:9"),
		chromedp.WindowSize(1400, 1100),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true}},
	}); err != nil {
		t.Fatalf("taking chromium offline: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// TestReportInBrowser opens the reports of the example shop and of the whole corpus in
// headless Chromium, offline, as a reviewer would: no console error, every workload and
// namespace of the model drawn, as many edges as netmap -o json lists connections, and a
// click on an edge shows the policies on each side. It writes a screenshot of each.
func TestReportInBrowser(t *testing.T) {
	bin := ringfenceBinary(t)
	for _, tc := range []struct{ name, path string }{
		{"example-shop", "../examples"},
		{"corpus", filepath.Join(shared, "corpus")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			page := filepath.Join(dir, "report.html")
			start := time.Now()
			if out, code := runRingfence(t, bin, "report", tc.path, "-o", page); code != 0 && code != 2 {
				t.Fatalf("report exited %d:\n%s", code, out)
			}
			took := time.Since(start)
			info, err := os.Stat(page)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := runRingfence(t, bin, "netmap", tc.path, "-o", "json")
			var m struct {
				Summary struct {
					Workloads int `json:"workloads"`
				} `json:"summary"`
				Connections []struct {
					Source, Destination string
				} `json:"connections"`
			}
			if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &m); err != nil {
				t.Fatalf("netmap -o json: %v", err)
			}
			ctx, problems := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#graph svg"))); err != nil {
				t.Fatalf("opening the report: %v", err)
			}
			count := func(selector string) int {
				n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
				if err != nil {
					t.Fatalf("counting %s: %v", selector, err)
				}
				return n
			}
			nodes, namespaces, edges := count(`#graph g.node[id^="w"]`), count("#graph g.cluster"), count("#graph g.edge")
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("e0").dispatchEvent(new MouseEvent("click", {bubbles: true}))`)); err != nil {
				t.Fatalf("clicking an edge: %v", err)
			}
			details, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#details")))
			if err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
			if err != nil {
				t.Fatal(err)
			}
			if p := problems(); len(p) > 0 {
				t.Errorf("the page raised %d console errors:\n%s", len(p), strings.Join(p, "\n"))
			}
			if nodes != m.Summary.Workloads {
				t.Errorf("%d workloads drawn, netmap counts %d", nodes, m.Summary.Workloads)
			}
			if edges != len(m.Connections) {
				t.Errorf("%d edges drawn, netmap -o json lists %d connections", edges, len(m.Connections))
			}
			if !strings.Contains(details, "Egress, allowed by") || !strings.Contains(details, "Ingress, allowed by") {
				t.Errorf("a click on an edge shows:\n%s", details)
			}
			shotFile := filepath.Join(os.Getenv("RINGFENCE_SCREENSHOTS"), tc.name+".png")
			if os.Getenv("RINGFENCE_SCREENSHOTS") == "" {
				shotFile = filepath.Join(dir, tc.name+".png")
			}
			if err := os.WriteFile(shotFile, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d bytes in %s; %d workloads, %d namespaces, %d edges drawn; screenshot %s", tc.name, info.Size(), took.Round(time.Millisecond), nodes, namespaces, edges, shotFile)
		})
	}
}
