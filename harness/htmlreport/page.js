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

  // The views of the picture, and the details of what is clicked in them.
  const details = document.getElementById("details");
  const graph = document.getElementById("graph");
  const viewSelect = document.getElementById("view-select");
  let current = 0;
  const hint = details.innerHTML;
  function showView(v) {
    if (v !== current) details.innerHTML = hint;
    current = v;
    viewSelect.value = String(v);
    graph.querySelectorAll("div.view").forEach((div) => { div.hidden = div.id !== "view-" + v; });
    graph.scrollTo(0, 0);
  }
  const fit = document.getElementById("fit");
  fit.addEventListener("change", () => graph.classList.toggle("fit", fit.checked));
  viewSelect.addEventListener("change", () => showView(Number(viewSelect.value)));
  const side = (isolated, policies) => !isolated
    ? el("p", {}, "not isolated: no policy of this direction selects the pods, so everything is allowed")
    : list(policies);
  const portsOf = (c) => c.ports.map((p) => p.protocol + " " + (p.port === p.endPort ? p.port : p.port + "-" + p.endPort)).join(", ");
  const connection = (i) => {
    const c = data.connections[i];
    return el("div", { class: "connection" },
      el("h4", { class: "ends" }, c.source + " \u2192 " + c.destination),
      el("p", {}, "Ports: " + portsOf(c)),
      el("h4", {}, "Egress, allowed by"), side(c.egressIsolated, c.egressPolicies),
      el("h4", {}, "Ingress, allowed by"), side(c.ingressIsolated, c.ingressPolicies),
      ...(c.breaks.length ? [el("h4", { class: "breaks" }, "Breaks the segmentation invariants"), list(c.breaks)] : []),
    );
  };
  const shownAtOnce = 200;
  // unit names a node of view v: its id in the view, and a connection it stands for an end
  // of (for outside addresses).
  function unit(v, u, address) {
    const i = Number(u.slice(1)), view = data.views[v];
    switch (u[0]) {
      case "w": return data.workloads[i].id;
      case "n": return "namespace " + data.namespaces[i].name;
      case "m": return "the mesh of " + view.meshes[i].length + (view.namespace === undefined ? " namespaces" : " workloads");
      case "o": return "every other namespace";
    }
    return address;
  }
  function showEdge(v, k) {
    const e = data.views[v].edges[k], first = data.connections[e.connections[0]];
    const head = e.connections.length === 1 ? [] : [
      el("h3", {}, unit(v, e.source, first.source) + " \u2192 " + unit(v, e.destination, first.destination)),
      el("p", {}, e.connections.length + " connections" + (e.connections.length > shownAtOnce ? ", the first " + shownAtOnce + " shown" : "") + ":")];
    details.replaceChildren(...head, ...e.connections.slice(0, shownAtOnce).map(connection));
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
  }
  function showMesh(v, q) {
    const view = data.views[v];
    const namespaces = view.namespace === undefined;
    const members = view.meshes[q].map((i) => namespaces ? data.namespaces[i].name : data.workloads[i].id);
    details.replaceChildren(
      el("h3", {}, "A mesh of " + members.length + (namespaces ? " namespaces" : " workloads of " + view.namespace)),
      el("p", {}, "Each of these " + (namespaces ? "namespaces has a workload that reaches a workload of every other" : "workloads reaches every other") +
        ". Edges to and from the box stand for each of them; click the loop for the connections among them and the policies that allow them."),
      list(members),
    );
  }
  const viewOfNamespace = (name) => data.views.findIndex((x) => x.namespace === name);
  graph.addEventListener("click", (ev) => {
    const g = ev.target.closest("g.edge, g.node");
    if (!g) return;
    const m = /^v(\d+)_([a-z])(\d+)$/.exec(g.id);
    if (!m) return;
    const v = Number(m[1]), kind = m[2], i = Number(m[3]);
    graph.querySelectorAll(".selected").forEach((x) => x.classList.remove("selected"));
    g.classList.add("selected");
    if (kind === "e") showEdge(v, i);
    else if (kind === "w") showWorkload(i);
    else if (kind === "m") showMesh(v, i);
    else if (kind === "n") showView(viewOfNamespace(data.namespaces[i].name));
    details.dataset.shown = g.id;
  });

  // Search: mark the workloads that match in the view shown; one match, or a whole ID,
  // opens a view that draws it and shows its details.
  const search = document.getElementById("search");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    const hits = q === "" ? [] : data.workloads.flatMap((w, i) => w.id.toLowerCase().includes(q) ? [i] : []);
    const exact = data.workloads.findIndex((w) => w.id.toLowerCase() === q);
    const one = exact >= 0 ? exact : hits.length === 1 ? hits[0] : -1;
    if (one >= 0 && !data.views[current].workloads.includes(one)) {
      showView(viewOfNamespace(data.workloads[one].namespace));
    }
    const hitNamespaces = new Set(hits.map((i) => data.workloads[i].namespace));
    graph.querySelectorAll(".match").forEach((x) => x.classList.remove("match"));
    for (const i of hits) document.getElementById("v" + current + "_w" + i)?.classList.add("match");
    data.namespaces.forEach((ns, n) => {
      if (hitNamespaces.has(ns.name)) document.getElementById("v" + current + "_n" + n)?.classList.add("match");
    });
    if (one >= 0) {
      document.getElementById("v" + current + "_w" + one)?.scrollIntoView({ block: "center", inline: "center" });
      showWorkload(one);
    }
  });
  showView(0);

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
