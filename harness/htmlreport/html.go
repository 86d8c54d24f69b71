package htmlreport

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"github.com/ringfence/ringfence/harness/netmodel"
)

//go:embed page.html.tmpl
var pageTemplate string

//go:embed page.js
var pageScript string

//go:embed page.css
var pageStyle string

var page = template.Must(template.New("page").Parse(pageTemplate))

func portsText(c Connection) string { return netmodel.FormatPorts(c.Ports) }

// WriteHTML writes the review as one HTML page that needs nothing else: the picture as
// inline SVG, the data as JSON, the style and the script inline, no font or file
// fetched. Title names what was reviewed.
func WriteHTML(ctx context.Context, w io.Writer, d *Data, title string) error {
	svgs, err := d.SVGs(ctx)
	if err != nil {
		return err
	}
	type view struct {
		Index int
		Name  string
		Title string
		SVG   template.HTML
	}
	views := make([]view, len(d.Views))
	for v, x := range d.Views {
		title := "namespace " + x.Name
		switch {
		case x.Namespace != "":
		case x.Name == "workloads":
			title = "every workload and connection"
		default:
			title = "namespaces, connections counted per pair"
		}
		// Graphviz's output of escaped DOT strings.
		views[v] = view{Index: v, Name: x.Name, Title: title, SVG: template.HTML(svgs[v])}
	}
	// encoding/json escapes <, > and & in strings, so the data cannot end its script
	// element early.
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding the review: %w", err)
	}
	return page.Execute(w, map[string]any{
		"Title":  title,
		"Data":   d,
		"Views":  views,
		"JSON":   template.JS(data),       // inside <script type="application/json">
		"Style":  template.CSS(pageStyle), // the package's own file
		"Script": template.JS(pageScript), // the package's own file
	})
}

// WriteJSON writes the review as JSON.
func WriteJSON(w io.Writer, d *Data) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
