// The review page's behaviour: details on click, namespace filter and search on the
// picture, and the sortable, filterable findings table. It reads the review from the
// page's JSON and fetches nothing.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const severities = ["critical", "high", "medium", "low", "info"];
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const list = (items) => items.length ? el("ul", {}, ...items.map((x) => el("li", {}, x))) : el("p", {}, "none");

  // Summary tables.
  const bySeverity = document.getElementById("by-severity");
  for (const s of severities) {
    bySeverity.append(el("tr", {}, el("td", { class: "sev " + s }, s), el("td", {}, data.summary.bySeverity[s] || 0)));
  }
  const byArea = document.getElementById("by-area");
  for (const a of Object.keys(data.summary.byArea).sort()) {
    byArea.append(el("tr", {}, el("td", {}, a), el("td", {}, data.summary.byArea[a])));
  }

  // Details of a connection or a workload.
  const details = document.getElementById("details");
  const side = (isolated, policies) => !isolated
    ? "not isolated: no policy of this direction selects the pods, so everything is allowed"
    : list(policies);
  function showConnection(i) {
    const c = data.connections[i];
    const ports = c.ports.map((p) => p.protocol + " " + (p.port === p.endPort ? p.port : p.port + "-" + p.endPort)).join(", ");
    details.replaceChildren(
      el("h3", {}, c.source + " \u2192 " + c.destination),
      el("p", {}, "Ports: " + ports),
      el("h4", {}, "Egress, allowed by"), side(c.egressIsolated, c.egressPolicies),
      el("h4", {}, "Ingress, allowed by"), side(c.ingressIsolated, c.ingressPolicies),
      ...(c.breaks.length ? [el("h4", {}, "Breaks the segmentation invariants"), list(c.breaks)] : []),
    );
    details.dataset.shown = "e" + i;
  }
  function showWorkload(i) {
    const w = data.workloads[i];
    const findings = w.findings.map((k) => {
      const f = data.findings[k];
      return el("span", {}, el("span", { class: "sev " + f.severity }, f.severity), " " + f.rule + ": " + f.message);
    });
    const perms = w.permissions.map((p) => el("span", {}, p.capability + " (" + p.description + "): " + p.through.join("; ")));
    details.replaceChildren(
      el("h3", {}, w.id),
      el("p", {}, (w.exposed ? "Open to every address outside the cluster. " : "") +
        "Ingress " + (w.ingressIsolated ? "isolated" : "not isolated") + ", egress " + (w.egressIsolated ? "isolated" : "not isolated") + "."),
      el("h4", {}, "Findings (" + findings.length + ")"), list(findings),
      el("h4", {}, "Dangerous permissions"), list(perms),
    );
    details.dataset.shown = "w" + i;
  }
  const graph = document.getElementById("graph");
  graph.addEventListener("click", (ev) => {
    const g = ev.target.closest("g.edge, g.node");
    if (!g) return;
    graph.querySelectorAll(".selected").forEach((x) => x.classList.remove("selected"));
    g.classList.add("selected");
    const id = g.id;
    if (id.startsWith("e")) showConnection(Number(id.slice(1)));
    else if (id.startsWith("w")) showWorkload(Number(id.slice(1)));
  });

  // Namespace filter and search.
  const nsFilter = document.getElementById("ns-filter");
  nsFilter.addEventListener("change", () => {
    const ns = nsFilter.value;
    graph.querySelectorAll("g.node, g.edge, g.cluster").forEach((g) => {
      const keep = !ns || g.classList.contains(ns) || (g.classList.contains("outside") && graph.querySelector("g.edge." + ns));
      g.classList.toggle("hidden", !keep);
    });
  });
  const search = document.getElementById("search");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    let first = null;
    data.workloads.forEach((w, i) => {
      const g = document.getElementById("w" + i);
      if (!g) return;
      const hit = q !== "" && w.id.toLowerCase().includes(q);
      g.classList.toggle("match", hit);
      if (hit && !first) first = g;
    });
    if (first) first.scrollIntoView({ block: "center", inline: "center" });
  });

  // Findings table.
  const tbody = document.querySelector("#finding-table tbody");
  const rows = data.findings.map((f, i) => {
    const rule = data.rules[f.rule] || {};
    const object = f.object.kind + " " + (f.object.namespace ? f.object.namespace + "/" : "") + f.object.name;
    const place = f.source ? f.source.file + (f.source.line ? ":" + f.source.line : "") : "";
    const more = el("details", {}, el("summary", {}, "how to fix"), el("p", {}, rule.remediation || ""), list(rule.references || []));
    const tr = el("tr", { "data-index": i },
      el("td", { class: "sev " + f.severity }, f.severity), el("td", {}, f.rule, el("br", {}), el("small", {}, rule.title || "")),
      el("td", {}, object), el("td", {}, f.message), el("td", { class: "place" }, place), el("td", {}, more));
    return { tr, f, keys: { severity: severities.indexOf(f.severity), rule: f.rule, object, message: f.message, place }, text: [f.rule, object, f.message, place].join(" ").toLowerCase() };
  });
  const filter = document.getElementById("finding-filter");
  const sevFilter = document.getElementById("severity-filter");
  const count = document.getElementById("finding-count");
  let sortKey = "severity", sortDir = 1;
  function render() {
    const q = filter.value.trim().toLowerCase(), sev = sevFilter.value;
    const shown = rows.filter((r) => (!q || r.text.includes(q)) && (!sev || r.f.severity === sev));
    shown.sort((a, b) => (a.keys[sortKey] < b.keys[sortKey] ? -1 : a.keys[sortKey] > b.keys[sortKey] ? 1 : 0) * sortDir);
    tbody.replaceChildren(...shown.map((r) => r.tr));
    count.textContent = shown.length + " of " + rows.length + " findings";
  }
  document.querySelectorAll("#finding-table th[data-key]").forEach((th) => th.addEventListener("click", () => {
    sortDir = sortKey === th.dataset.key ? -sortDir : 1;
    sortKey = th.dataset.key;
    render();
  }));
  filter.addEventListener("input", render);
  sevFilter.addEventListener("change", render);
  render();

  // Permissions table.
  const ptbody = document.querySelector("#permission-table tbody");
  for (const w of data.workloads) {
    for (const p of w.permissions) {
      ptbody.append(el("tr", {}, el("td", {}, w.id), el("td", {}, p.capability, el("br", {}), el("small", {}, p.description)), el("td", {}, list(p.through))));
    }
  }
  if (!ptbody.children.length) ptbody.append(el("tr", {}, el("td", { colspan: 3 }, "No workload holds a dangerous capability.")));
})();
