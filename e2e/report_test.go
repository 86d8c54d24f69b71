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

// viewDrawn is what the browser shows of one view of the picture.
type viewDrawn struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Visible   bool   `json:"visible"` // shown, with a size, once chosen in the view menu
	// Workloads are the indexes of the workloads drawn, Namespaces the namespace nodes.
	Workloads  []int `json:"workloads"`
	Namespaces int   `json:"namespaces"`
	Edges      int   `json:"edges"`
	// Connections adds up the connections of the edges drawn.
	Connections int `json:"connections"`
}

// drawnViews chooses each view in the page's view menu, as a reader would, and reports
// what it draws.
const drawnViews = `(() => {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const menu = document.getElementById("view-select");
  const out = data.views.map((v, i) => {
    menu.value = String(i);
    menu.dispatchEvent(new Event("change"));
    const div = document.getElementById("view-" + i), svg = div.querySelector("svg");
    const workloads = new Set();
    div.querySelectorAll("g.node.workload").forEach((g) => workloads.add(Number(/^v\d+_w(\d+)$/.exec(g.id)[1])));
    let connections = 0;
    const edges = div.querySelectorAll("g.edge.conn");
    edges.forEach((g) => { connections += v.edges[Number(/^v\d+_e(\d+)$/.exec(g.id)[1])].connections.length; });
    return { name: v.name, namespace: v.namespace || "", visible: !div.hidden && svg.getBoundingClientRect().width > 0,
      workloads: [...workloads], namespaces: div.querySelectorAll("g.node.namespace").length, edges: edges.length, connections };
  });
  menu.value = "0";
  menu.dispatchEvent(new Event("change"));
  return out;
})()`

// at scrolls an element of the picture into view and returns where a reader would click
// it: the middle of an edge's line, the centre of a node.
func at(id string) string {
	return fmt.Sprintf(`(() => {
  const g = document.getElementById(%q);
  g.scrollIntoView({ block: "center", inline: "center" });
  const path = g.classList.contains("edge") && g.querySelector("path");
  if (path) {
    const p = path.getPointAtLength(path.getTotalLength() / 2), m = path.getScreenCTM();
    return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
  }
  const r = g.querySelector("polygon, ellipse, path").getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
})()`, id)
}

// netmapOf is netmap -o json of the same input.
type netmapOf struct {
	Summary struct {
		Workloads int `json:"workloads"`
	} `json:"summary"`
	Connections []struct {
		Source      string `json:"source"`
		Destination string `json:"destination"`
	} `json:"connections"`
}

// namespaceOf is the namespace of a netmap connection end, "" for addresses.
func namespaceOf(end string) string {
	if !strings.HasSuffix(end, "]") {
		return ""
	}
	return end[:strings.Index(end, "/")]
}

// TestReportInBrowser opens the reports of the example shop and of the whole corpus in
// headless Chromium, offline, as a reviewer would: no console error; every view chosen
// from the menu and drawn; every workload and namespace of the model drawn; the
// connections counted on the edges of the most detailed view equal to netmap -o json,
// and those of each namespace's view to the connections with an end in it; a click on
// an edge shows the policies on each side, a click on a namespace opens its view, and
// typing a workload's name finds it. It writes screenshots of the picture.
func TestReportInBrowser(t *testing.T) {
	bin := ringfenceBinary(t)
	shots := os.Getenv("RINGFENCE_SCREENSHOTS")
	for _, tc := range []struct {
		name, path string
		// view is the namespace whose view is screenshot too, find a workload searched.
		view, find string
	}{
		{"example-shop", "../examples", "", "shop/frontend[Deployment]"},
		{"corpus", filepath.Join(shared, "corpus"), "sock-shop", "sock-shop/carts[Deployment]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			shots := shots
			if shots == "" {
				shots = dir
			}
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
			var m netmapOf
			if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &m); err != nil {
				t.Fatalf("netmap -o json: %v", err)
			}
			touching, ids := map[string]int{}, map[string]map[string]bool{}
			for _, c := range m.Connections {
				a, b := namespaceOf(c.Source), namespaceOf(c.Destination)
				for _, end := range []string{c.Source, c.Destination} {
					if ns := namespaceOf(end); ns != "" {
						if ids[ns] == nil {
							ids[ns] = map[string]bool{}
						}
						ids[ns][end] = true
					}
				}
				if a != "" {
					touching[a]++
				}
				if b != "" && b != a {
					touching[b]++
				}
			}

			ctx, problems := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#view-0 svg"))); err != nil {
				t.Fatalf("opening the report: %v", err)
			}
			workloadIDs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`JSON.parse(document.getElementById("review-data").textContent).workloads.map((w) => w.id)`))
			if err != nil {
				t.Fatal(err)
			}
			views, err := chromedp.Run(ctx, chromedp.Evaluate[[]viewDrawn](drawnViews))
			if err != nil {
				t.Fatalf("choosing each view: %v", err)
			}
			drawn, namespaces := map[int]bool{}, map[string]bool{}
			for _, v := range views {
				if !v.Visible {
					t.Errorf("view %s is not shown when chosen", v.Name)
				}
				switch v.Name {
				case "workloads":
					if v.Edges != len(m.Connections) || v.Connections != len(m.Connections) || len(v.Workloads) != m.Summary.Workloads {
						t.Errorf("the workloads view draws %d workloads and %d edges for %d connections; netmap has %d workloads, %d connections",
							len(v.Workloads), v.Edges, v.Connections, m.Summary.Workloads, len(m.Connections))
					}
				case "namespaces":
					if v.Connections != len(m.Connections) || v.Namespaces != len(views)-2 && v.Namespaces != len(views)-1 {
						t.Errorf("the namespaces view draws %d namespaces and edges for %d connections; netmap has %d connections", v.Namespaces, v.Connections, len(m.Connections))
					}
				default:
					namespaces[v.Namespace] = true
					if v.Connections != touching[v.Namespace] {
						t.Errorf("the view of %s draws edges for %d connections; netmap has %d with an end in it", v.Namespace, v.Connections, touching[v.Namespace])
					}
					shown := map[string]bool{}
					for _, i := range v.Workloads {
						drawn[i] = true
						shown[workloadIDs[i]] = true
					}
					for id := range ids[v.Namespace] {
						if !shown[id] {
							t.Errorf("the view of %s does not draw %s", v.Namespace, id)
						}
					}
				}
			}
			if len(drawn) != m.Summary.Workloads {
				t.Errorf("the namespaces' views draw %d workloads, netmap has %d", len(drawn), m.Summary.Workloads)
			}
			for ns := range ids {
				if !namespaces[ns] {
					t.Errorf("namespace %s has no view", ns)
				}
			}

			click := func(id string) {
				t.Helper()
				xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](at(id)))
				if err != nil {
					t.Fatalf("finding %s: %v", id, err)
				}
				if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
					t.Fatalf("clicking %s: %v", id, err)
				}
			}
			shown := func(expr string) string {
				t.Helper()
				s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			// The first edge of the first view: its connections and the policies on each side.
			click("v0_e0")
			if got := shown(`document.getElementById("details").dataset.shown || ""`); got != "v0_e0" {
				t.Errorf("a click on the first edge shows %q", got)
			}
			details, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#details")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(details, "Egress, allowed by") || !strings.Contains(details, "Ingress, allowed by") {
				t.Errorf("a click on an edge shows:\n%s", details)
			}
			shot := func(name string) {
				t.Helper()
				png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#picture")))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			shot(tc.name)
			if tc.view != "" {
				// A click on the namespace in the namespaces view opens its view.
				n := shown(fmt.Sprintf(`String(JSON.parse(document.getElementById("review-data").textContent).namespaces.findIndex((ns) => ns.name === %q))`, tc.view))
				click("v0_n" + n)
				if got := shown(`document.querySelector("#graph div.view:not([hidden])").dataset.name`); got != tc.view {
					t.Errorf("a click on namespace %s opens the view %q", tc.view, got)
				}
				shot(tc.name + "-" + tc.view)
			}
			// Typing a workload's ID finds it: its view, marked, and its details.
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#search"), tc.find)); err != nil {
				t.Fatal(err)
			}
			if got := shown(`document.querySelector("#details h3").textContent`); got != tc.find {
				t.Errorf("searching %s shows %q", tc.find, got)
			}
			if got := shown(`String(document.querySelectorAll("#graph div.view:not([hidden]) g.match").length)`); got == "0" {
				t.Errorf("searching %s marks nothing", tc.find)
			}
			if p := problems(); len(p) > 0 {
				t.Errorf("the page raised %d console errors:\n%s", len(p), strings.Join(p, "\n"))
			}
			t.Logf("%s: %d bytes in %s; %d views, %d workloads drawn; screenshots in %s", tc.name, info.Size(), took.Round(time.Millisecond), len(views), len(drawn), shots)
		})
	}
}
