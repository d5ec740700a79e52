// onnxgraph view: draws the level of the model's hierarchy the server lays
// out, and sends edits as script steps. Plain JavaScript, no build step.
"use strict";

const token = document.querySelector('meta[name="onnxgraph-token"]').content;
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const view = {
  version: -1,       // the model version last drawn
  expanded: new Set(),
  lr: false,         // left to right instead of top-down
  op: "",
  selected: "",      // key of the selected box
  selectedName: "",  // its name, to find it again after an edit
  level: null,
  boxes: new Map(),  // key -> drawn item
  tx: 0, ty: 0, scale: 1,
  extractIn: [], extractOut: [],
  busy: 0,
};

// api calls the server. document.body.dataset.busy counts the calls in
// flight, so a test (or a person reading the DOM) can wait for the page to
// settle after an edit.
let busy = 0;
function setBusy(d) { busy += d; document.body.dataset.busy = String(busy); }
async function api(method, path, body) {
  setBusy(1);
  try { return await apiCall(method, path, body); } finally { setBusy(-1); }
}
async function apiCall(method, path, body) {
  const opts = { method, headers: { "X-Onnxgraph-Token": token } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  let data;
  try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
  if (!r.ok) {
    const err = new Error(data.error || r.statusText);
    Object.assign(err, data, { status: r.status });
    throw err;
  }
  return data;
}

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), attrs[k]);
    else if (k === "text") e.textContent = attrs[k];
    else e.setAttribute(k, attrs[k]);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function say(text, ok) {
  const m = $("message");
  m.hidden = !text;
  m.textContent = text || "";
  m.className = ok ? "ok" : "";
}

// ---------------------------------------------------------------- state

// refresh reloads the status and, when the model changed, the drawing;
// calls made while one runs are folded into one more run.
let running = null, again = false;
function refresh() {
  if (running) { again = true; return running; }
  running = (async () => {
    do { again = false; await refreshOnce(); } while (again);
    running = null;
  })();
  return running;
}

async function refreshOnce() {
  let st;
  try { st = await api("GET", "/api/state"); } catch (e) { return say(e.message); }
  $("file").textContent = st.file.split(/[\\/]/).pop();
  $("file").title = st.file;
  document.title = $("file").textContent + " — onnxgraph view";
  $("status").textContent = st.status;
  if (st.error) {
    $("fatal").hidden = false;
    $("fatal").textContent = "The model could not be loaded:\n\n" + st.error;
    for (const b of document.querySelectorAll("#toolbar button, #toolbar input, #toolbar select")) b.disabled = true;
    return;
  }
  $("undo").disabled = !st.undo;
  $("redo").disabled = !st.redo;
  if (!$("save-path").value) $("save-path").value = st.saveAs;
  const hist = $("history");
  hist.replaceChildren(...st.steps.map((s) => h("li", { text: s })), ...st.redos.map((s) => h("li", { class: "redo", text: s })));
  const op = $("op");
  const keep = op.value;
  op.replaceChildren(h("option", { value: "", text: "all operators" }), ...(st.ops || []).map((o) => h("option", { value: o.op, text: `${o.op} (${o.count})` })));
  op.value = (st.ops || []).some((o) => o.op === keep) ? keep : "";
  view.op = op.value;
  const changed = st.version !== view.version;
  view.version = st.version;
  if (changed || !view.level) await drawLevel();
}

async function drawLevel(fit) {
  let lv;
  try {
    lv = await api("POST", "/api/level", { expanded: [...view.expanded], lr: view.lr, op: view.op, auto: !view.level });
  } catch (e) { return say(e.message); }
  const first = !view.level;
  if (first) view.expanded = new Set(lv.expanded);
  view.level = lv;
  performance.mark("level-received");
  render(lv);
  performance.mark("level-drawn");
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("level-painted")));
  if (first || fit) fitView();
  if (view.selectedName) reselect();
}

// ---------------------------------------------------------------- drawing

function render(lv) {
  const vp = $("viewport");
  vp.replaceChildren();
  view.boxes.clear();
  $("graph").classList.toggle("dim", !!view.op);
  const frames = el("g", { class: "frames" }, vp);
  for (const f of lv.frames || []) {
    const g = el("g", { class: "frame", "data-key": f.key }, frames);
    el("rect", { x: f.x, y: f.y, width: f.w, height: f.h }, g);
    const t = el("text", { x: f.x + 6, y: f.y + 13 }, g, "▾ " + f.label);
    el("title", {}, t, "Click to collapse " + f.label);
    t.addEventListener("click", (ev) => { ev.stopPropagation(); collapse(f.key); });
  }
  const edges = el("g", { class: "edges" }, vp);
  for (const e of lv.edges || []) {
    const g = el("g", { class: "edge", "data-from": e.from, "data-to": e.to }, edges);
    el("path", { d: curve(e.points), "marker-end": "url(#arrow)" }, g);
    if (e.label) {
      const [x, y] = middle(e.points);
      el("text", { x, y: y - 4, "text-anchor": "middle" }, g, e.label);
    }
    el("title", {}, g, e.values > 1 ? `${e.values} tensors, e.g. ${e.value}` : e.value);
  }
  const items = el("g", { class: "items" }, vp);
  for (const it of lv.items) {
    const cls = ["box", it.kind];
    if (it.expandable && it.kind === "node") cls.push("control");
    if (it.hits) cls.push("hit");
    const g = el("g", { class: cls.join(" "), "data-key": it.key, "data-name": it.name, transform: `translate(${it.x},${it.y})` }, items);
    el("rect", { width: it.w, height: it.h }, g);
    let y = 17;
    if (it.op) { el("text", { x: 8, y, class: "op" }, g, it.op); y += 16; }
    if (it.label) { el("text", { x: 8, y, class: it.op ? "sub" : "op" }, g, it.label); y += 16; }
    for (const l of it.lines || []) { el("text", { x: 8, y, class: "sub" }, g, l); y += 16; }
    el("title", {}, g, (it.name || it.label) + (it.hits ? `\n${it.hits} ${view.op} nodes` : ""));
    if (it.kind === "node" && it.expandable) {
      const t = el("g", { class: "toggle-btn", transform: `translate(${it.w - 16},3)` }, g);
      el("rect", { width: 13, height: 13, class: "toggle" }, t);
      el("text", { x: 3, y: 11 }, t, it.expanded ? "−" : "+");
      t.addEventListener("click", (ev) => { ev.stopPropagation(); toggleNode(it); });
    }
    g.addEventListener("click", (ev) => { ev.stopPropagation(); clickBox(it); });
    view.boxes.set(it.key, { it, g });
  }
  applyTransform();
}

function curve(p) {
  if (!p || p.length < 2) return "";
  let d = `M${p[0][0]},${p[0][1]}`;
  for (let i = 1; i < p.length; i++) {
    const [x0, y0] = p[i - 1], [x1, y1] = p[i];
    if (view.lr) {
      const dx = (x1 - x0) / 2;
      d += ` C${x0 + dx},${y0} ${x1 - dx},${y1} ${x1},${y1}`;
    } else {
      const dy = (y1 - y0) / 2;
      d += ` C${x0},${y0 + dy} ${x1},${y1 - dy} ${x1},${y1}`;
    }
  }
  return d;
}

function middle(p) {
  if (p.length === 2) return [(p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2];
  return p[Math.floor(p.length / 2)];
}

function applyTransform() {
  $("viewport").setAttribute("transform", `translate(${view.tx},${view.ty}) scale(${view.scale})`);
}

// fitView shows the whole drawing when it fits at a readable scale, else
// its start (the graph inputs) at that scale.
function fitView() {
  const lv = view.level;
  const r = $("graph").getBoundingClientRect();
  if (!lv || !r.width) return;
  view.scale = Math.max(0.55, Math.min(1, r.width / lv.width, r.height / lv.height));
  const w = lv.width * view.scale, hh = lv.height * view.scale;
  view.tx = w <= r.width ? (r.width - w) / 2 : 0;
  view.ty = hh <= r.height ? (r.height - hh) / 2 : 0;
  applyTransform();
}

function center(key) {
  const b = view.boxes.get(key);
  if (!b) return;
  const r = $("graph").getBoundingClientRect();
  view.scale = Math.max(view.scale, 0.6);
  view.tx = r.width / 2 - (b.it.x + b.it.w / 2) * view.scale;
  view.ty = r.height / 2 - (b.it.y + b.it.h / 2) * view.scale;
  applyTransform();
}

// centerFrame brings an opened group's frame into view: whole when it fits
// at a readable scale, else its top.
function centerFrame(key) {
  const f = (view.level.frames || []).find((x) => x.key === key);
  if (!f) return;
  const r = $("graph").getBoundingClientRect();
  view.scale = Math.max(0.6, Math.min(view.scale, r.width / (f.w + 40), r.height / (f.h + 40)));
  view.tx = r.width / 2 - (f.x + f.w / 2) * view.scale;
  view.ty = Math.max(r.height / 2 - (f.y + f.h / 2) * view.scale, 20 - f.y * view.scale);
  applyTransform();
}

// Pan by dragging, zoom with the wheel.
(function () {
  const svg = $("graph");
  let drag = null;
  svg.addEventListener("mousedown", (e) => {
    if (e.target.closest(".box")) return;
    drag = { x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty, moved: false };
    svg.classList.add("dragging");
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    view.tx = drag.tx + e.clientX - drag.x;
    view.ty = drag.ty + e.clientY - drag.y;
    drag.moved = true;
    applyTransform();
  });
  window.addEventListener("mouseup", () => { drag = null; svg.classList.remove("dragging"); });
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    const mx = e.clientX - r.left, my = e.clientY - r.top;
    const k = Math.exp(-e.deltaY * 0.0015);
    const s = Math.min(4, Math.max(0.02, view.scale * k));
    view.tx = mx - (mx - view.tx) * (s / view.scale);
    view.ty = my - (my - view.ty) * (s / view.scale);
    view.scale = s;
    applyTransform();
  }, { passive: false });
})();

// ---------------------------------------------------------------- navigation

async function clickBox(it) {
  if (it.kind === "group" || it.kind === "body") {
    view.expanded.add(it.key);
    await drawLevel();
    centerFrame(it.key);
    return;
  }
  select(it.key, it.name);
}

async function toggleNode(it) {
  if (view.expanded.has(it.key)) {
    collapse(it.key);
    return;
  }
  view.expanded.add(it.key);
  for (const b of it.bodies || []) view.expanded.add(b);
  await drawLevel();
}

// collapse closes one group; the groups open inside it stay open, hidden,
// and show again when it reopens.
async function collapse(key) {
  view.expanded.delete(key);
  await drawLevel();
  center(key);
}

async function reveal(ancestors) {
  let grew = false;
  for (const a of ancestors || []) if (!view.expanded.has(a)) { view.expanded.add(a); grew = true; }
  if (grew) await drawLevel();
}

function mark(key, cls) {
  for (const b of document.querySelectorAll(".box." + cls)) b.classList.remove(cls);
  const b = view.boxes.get(key);
  if (b) b.g.classList.add(cls);
}

// selectSeq numbers selections: details that arrive after a newer selection
// was made (a click right after an edit's redraw) are dropped, so the panel
// always shows the box clicked last.
let selectSeq = 0;
async function select(key, name) {
  const seq = ++selectSeq;
  view.selected = key;
  view.selectedName = name || "";
  mark(key, "selected");
  let d;
  try { d = await api("GET", "/api/details?key=" + encodeURIComponent(key)); } catch (e) { return seq === selectSeq && say(e.message); }
  if (seq !== selectSeq) return;
  showDetails(d);
}

// After a redraw, find the selection again by name (keys follow positions).
function reselect() {
  for (const [key, b] of view.boxes) {
    if (b.it.name === view.selectedName && (b.it.kind === "node" || b.it.kind === "input" || b.it.kind === "output")) {
      if (key !== view.selected || !document.querySelector(".box.selected")) select(key, b.it.name);
      return;
    }
  }
  view.selected = "";
  $("details").replaceChildren(h("p", { class: "hint", text: "Click a box to see it; click a group to open it." }));
}

// ---------------------------------------------------------------- side panel

function showDetails(d) {
  const box = $("details");
  const parts = [h("h3", { text: d.kind === "node" ? d.op + (d.domain ? " (" + d.domain + ")" : "") : d.kind })];
  if (d.kind === "node") {
    const name = h("input", { id: "node-name", value: d.name });
    parts.push(h("div", { class: "row" }, name,
      h("button", { id: "rename-node", onclick: () => edit({ op: "rename", from: d.name, to: name.value, scope: "nodes" }) }, "Rename"),
      h("button", { id: "delete-node", onclick: () => edit({ op: "delete-nodes", names: [d.name] }) }, "Delete")));
    if (d.ancestors.length) parts.push(h("div", { class: "hint", text: "in " + d.ancestors.length + " groups" }));
    if (d.doc) parts.push(h("p", { class: "hint", text: d.doc }));
    if (d.attrs && d.attrs.length) {
      parts.push(h("h3", { text: "Attributes" }));
      const t = h("table");
      for (const a of d.attrs) {
        const input = h("input", { class: "attr", "data-name": a.name, value: a.text });
        if (!a.editable) input.disabled = true;
        t.append(h("tr", {}, h("td", { text: a.name }), h("td", {}, h("div", { class: "row" }, input,
          a.editable ? h("button", { class: "set-attr", onclick: () => edit({ op: "modify", node: d.name, attr: { [a.name]: input.value } }) }, "Set") : null))));
      }
      parts.push(t);
    }
  } else if (d.kind === "group" || d.kind === "body") {
    parts.push(h("p", { text: d.name }), h("p", { text: d.nodes + " nodes: " + d.ops }));
  } else {
    parts.push(h("p", { class: "hint", text: d.kind === "input" ? "graph input" : "graph output" }));
  }
  const ports = (title, list) => {
    if (!list || !list.length) return;
    parts.push(h("h3", { text: title }));
    const t = h("table");
    for (const p of list) t.append(portRow(d, p));
    parts.push(t);
  };
  ports("Inputs", d.inputs);
  ports("Outputs", d.outputs);
  box.replaceChildren(...parts);
}

function portRow(d, p) {
  const cell = h("td");
  const name = h("input", { class: "value-name", value: p.name });
  cell.append(h("div", { class: "row" }, name,
    p.name ? h("button", { class: "rename-value", onclick: () => edit({ op: "rename", from: p.name, to: name.value, scope: "values" }) }, "Rename") : null));
  cell.append(h("div", { text: p.type + (p.init ? "  weight " + p.init : "") }));
  if (p.why) cell.append(h("div", { class: "why", text: "shape unknown: " + p.why }));
  if (p.const) {
    const c = h("input", { class: "const", value: p.const });
    cell.append(h("div", { class: "row" }, c, d.kind === "node" ? h("button", { class: "set-const", onclick: () => edit({ op: "modify", node: d.name, const: { [p.name]: c.value } }) }, "Set constant") : null));
  }
  if (p.graphInput && p.main && !p.init) {
    const dims = h("input", { class: "dims", value: (p.type.match(/\[(.*)\]/) || ["", ""])[1] });
    cell.append(h("div", { class: "row" }, dims, h("button", { class: "set-dims", onclick: () => edit({ op: "set-dims", input: { [p.name]: dims.value } }) }, "Set dims")));
  }
  const acts = h("div", { class: "acts" });
  if (p.name && p.main) {
    if (p.graphOutput) acts.append(h("button", { class: "remove-output", onclick: () => edit({ op: "delete-outputs", names: [p.name] }) }, "Remove output"));
    else acts.append(h("button", { class: "add-output", onclick: () => edit({ op: "add-outputs", names: [p.name] }) }, "Add output"));
    if (!p.init) {
      acts.append(h("button", { class: "extract-in", onclick: () => markExtract("in", p.name) }, "Start here"));
      acts.append(h("button", { class: "extract-out", onclick: () => markExtract("out", p.name) }, "End here"));
    }
  }
  cell.append(acts);
  return h("tr", { class: "port", "data-name": p.name }, h("td", { text: p.slot }), cell);
}

function markExtract(side, name) {
  const list = side === "in" ? view.extractIn : view.extractOut;
  const i = list.indexOf(name);
  if (i >= 0) list.splice(i, 1); else list.push(name);
  showExtract();
}

function showExtract() {
  $("extract-in").textContent = view.extractIn.join(", ") || "(graph inputs)";
  $("extract-out").textContent = view.extractOut.join(", ");
  $("extraction").hidden = !view.extractIn.length && !view.extractOut.length;
  $("extract").disabled = !view.extractOut.length;
}

// ---------------------------------------------------------------- edits

async function edit(step) {
  say("");
  let r;
  try {
    r = await api("POST", "/api/edit", { version: view.version, step });
  } catch (e) {
    if (e.status === 409) {
      say(e.message);
      await refresh();
      return;
    }
    say(e.message + (e.culprit ? `\n(at ${e.culprit})` : ""));
    if (e.key) {
      await reveal(e.ancestors);
      mark(e.key, "error");
      center(e.key);
      bubble(e.key, e.message);
    }
    return;
  }
  if (step.op === "rename" && step.from === view.selectedName) view.selectedName = step.to;
  say("done: " + r.step, true);
  await refresh();
}

function bubble(key, text) {
  const b = view.boxes.get(key);
  if (!b) return;
  const g = el("g", { class: "bubble", transform: `translate(${b.it.x},${b.it.y + b.it.h + 6})` }, $("viewport"));
  const short = text.length > 90 ? text.slice(0, 89) + "…" : text;
  el("rect", { width: short.length * 6.6 + 12, height: 20, rx: 4 }, g);
  el("text", { x: 6, y: 14 }, g, short);
}

async function post(path, body) {
  say("");
  try {
    const r = await api("POST", path, body || {});
    await refresh();
    return r;
  } catch (e) {
    say(e.message);
    return null;
  }
}

$("undo").addEventListener("click", () => post("/api/undo"));
$("redo").addEventListener("click", () => post("/api/redo"));
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT") return;
  if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); post("/api/undo"); }
  if ((e.ctrlKey || e.metaKey) && e.key === "y") { e.preventDefault(); post("/api/redo"); }
});
$("save").addEventListener("click", async () => {
  const r = await post("/api/save", { path: $("save-path").value, overwrite: $("overwrite").checked });
  if (r) say("saved " + r.path, true);
});
$("save-script").addEventListener("click", async () => {
  const p = $("save-path").value.replace(/\.onnx$/, "") + ".script.json";
  const r = await post("/api/save", { path: p, script: true });
  if (r) say("script saved to " + r.path + " (replay with: onnxgraph apply SCRIPT IN OUT)", true);
});
$("set-batch").addEventListener("click", () => edit({ op: "set-batch", batch: $("batch").value }));
$("simplify").addEventListener("click", () => edit({ op: "simplify" }));
$("extract").addEventListener("click", async () => {
  const step = { op: "extract", outputs: view.extractOut };
  if (view.extractIn.length) step.inputs = view.extractIn;
  await edit(step);
  view.extractIn = []; view.extractOut = [];
  showExtract();
});
$("diff").addEventListener("click", async () => {
  try {
    const d = await api("GET", "/api/diff");
    $("diff-box").hidden = false;
    $("diff-out").textContent = d.equal ? "no changes" : d.text;
  } catch (e) { say(e.message); }
});
$("dir").addEventListener("click", () => {
  view.lr = !view.lr;
  $("dir").textContent = view.lr ? "Left to right" : "Top down";
  drawLevel(true);
});
$("collapse").addEventListener("click", () => { view.expanded.clear(); drawLevel(true); });
$("op").addEventListener("change", async () => {
  view.op = $("op").value;
  await drawLevel();
  if (view.op) search("", view.op); else $("results-box").hidden = true;
});

// ---------------------------------------------------------------- search

let searchTimer = 0;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    const q = $("search").value.trim();
    if (!q && !view.op) { $("results-box").hidden = true; return; }
    search(q, view.op);
  }, 150);
});

async function search(q, op) {
  let r;
  try { r = await api("GET", "/api/search?q=" + encodeURIComponent(q) + "&op=" + encodeURIComponent(op || "")); } catch (e) { return say(e.message); }
  const list = $("results");
  list.replaceChildren(...r.hits.map((hit) => h("li", {
    "data-key": hit.key,
    "data-name": hit.name,
    "data-kind": hit.kind,
    onclick: async () => {
      await reveal(hit.ancestors);
      const b = view.boxes.get(hit.key);
      await select(hit.key, b ? b.it.name : hit.name);
      mark(hit.key, "found");
      mark(hit.key, "selected");
      center(hit.key);
    },
    text: (hit.kind === "node" ? "⬚ " + hit.name + " (" + hit.op + ")" : "→ " + hit.name),
  })));
  $("results-count").textContent = r.hits.length + (r.more ? "+" : "");
  $("results-box").hidden = false;
}

// ---------------------------------------------------------------- live updates

function listen() {
  const es = new EventSource("/api/events?token=" + encodeURIComponent(token));
  es.onmessage = (e) => {
    const v = parseInt(e.data, 10);
    if (v !== view.version) refresh();
  };
}

refresh().then(listen);
