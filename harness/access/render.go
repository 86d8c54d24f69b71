package access

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ringfence/ringfence/harness/load"
)

// Formats are the output formats of WriteWhoCan and WritePermissions.
var Formats = []string{"text", "json"}

// WriteWhoCan writes a WhoCan answer as a table (text) or JSON.
func WriteWhoCan(w io.Writer, res WhoCanResult, format string) error {
	if format == "json" {
		return writeJSON(w, res)
	}
	fmt.Fprintf(w, "Who can %s:\n\n", res.Request)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tGRANTED BY")
	for _, s := range res.Subjects {
		name := s.Name
		if s.Namespace != "" {
			name = s.Namespace + "/" + s.Name
		}
		fmt.Fprintf(tw, "%s %s\t%s%s\n", s.Kind, name, s.GrantedBy, defaultMark(s.Default))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeTrailer(w, res.Warnings, res.Errors)
}

// WritePermissions writes a Permissions answer as a table (text) or JSON.
func WritePermissions(w io.Writer, list PermissionList, format string) error {
	if format == "json" {
		return writeJSON(w, list)
	}
	fmt.Fprintf(w, "%s\n", list.Subject.Display)
	if len(list.Subject.Groups) > 0 {
		fmt.Fprintf(w, "Groups: %s\n", strings.Join(list.Subject.Groups, ", "))
	}
	if t := list.Subject.Token; t != nil {
		if t.Mounted {
			fmt.Fprintln(w, "Its pods get a token for the service account.")
		} else {
			fmt.Fprintln(w, "Its pods do not get a token for the service account (automountServiceAccountToken is false and no projected token is mounted).")
		}
	}
	if list.Superuser {
		fmt.Fprintln(w, "Member of system:masters: authorized for everything before RBAC.")
	}
	fmt.Fprintln(w)
	if len(list.Permissions) == 0 {
		fmt.Fprintln(w, "No permissions.")
		return writeTrailer(w, nil, list.Errors)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tRESOURCES\tNON-RESOURCE URLS\tRESOURCE NAMES\tVERBS\tGRANTED BY")
	for _, p := range list.Permissions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\n", p.Namespace, bracket(p.Resources), bracket(p.NonResourceURLs),
			bracket(p.ResourceNames), bracket(p.Verbs), p.GrantedBy, defaultMark(p.Default))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list.Dangerous) > 0 {
		fmt.Fprintln(w, "\nDangerous:")
		for _, d := range list.Dangerous {
			fmt.Fprintf(w, "  %s %s:\n", list.Subject.Display, d.Does)
			for _, g := range d.GrantedBy {
				fmt.Fprintf(w, "    %s\n", g)
			}
		}
	}
	return writeTrailer(w, nil, list.Errors)
}

func bracket(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	return "[" + strings.Join(list, " ") + "]"
}

func defaultMark(d bool) string {
	if d {
		return " (default policy)"
	}
	return ""
}

func writeTrailer(w io.Writer, warnings []string, errs []load.Error) error {
	for _, m := range warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", m)
	}
	if len(errs) > 0 {
		fmt.Fprintf(w, "\n%d errors:\n", len(errs))
		for _, e := range errs {
			fmt.Fprintf(w, "  %s\n", e.Error())
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
