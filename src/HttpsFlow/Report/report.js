"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const T = {
    en: { title: "HttpsFlow report", sub: (f, n) => `${f}: ${n} TLS connection${n === 1 ? "" : "s"}`, search: "Search connections…",
      shown: (a, b) => `${a} of ${b}`, cols: ["#", "Client", "Server", "SNI", "Version", "Cipher suite", "ALPN", "Resumed", "Certificate", "JA3", "RTT ms", "Handshake ms", "Findings"],
      yes: "yes", no: "no", findings: "Findings", none: "Nothing to report.", diagram: "Sequence diagram", steps: "Step by step", chain: "Certificate chain",
      timing: "Timing", packet: "Packet", noTree: (f, n) => `This report does not carry frame ${n}'s detail tree (see --packet-trees); httpsflow show ${f} --frame ${n} prints it.`, phases: { tcp: "TCP handshake", tls: "TLS handshake", wait: "Waiting for data", transfer: "Transfer" },
      subject: "Subject", issuer: "Issuer", validity: "Validity", atCapture: "at capture", valid: "valid", invalid: "NOT valid", sans: "Names", key: "Key", sig: "Signature",
      serial: "Serial", sha256: "SHA-256", sha1: "SHA-1", issuedBy: "issued by the next card", noCerts: "No certificate in the clear (TLS 1.3 encrypts it, or the handshake was not captured).",
      cert: { "cert.valid": "valid", "cert.unknownissuer": "untrusted root", "cert.expired": "expired", "cert.not_yet_valid": "not yet valid",
        "cert.name_mismatch": "name mismatch", "cert.selfsigned": "self-signed", "cert.incompletechain": "incomplete chain", "cert.signaturemismatch": "bad signature" }, all: "All findings", conn: "connection", prev: "‹", next: "›", client: "client", server: "server" },
    zh: { title: "HttpsFlow 报告", sub: (f, n) => `${f}：${n} 条 TLS 连接`, search: "搜索连接…",
      shown: (a, b) => `${a} / ${b}`, cols: ["#", "客户端", "服务端", "SNI", "版本", "加密套件", "ALPN", "会话恢复", "证书", "JA3", "RTT 毫秒", "握手 毫秒", "问题"],
      yes: "是", no: "否", findings: "发现的问题", none: "没有需要注意的地方。", diagram: "时序图", steps: "逐包分析", chain: "证书链",
      timing: "耗时", packet: "数据包", noTree: (f, n) => `本报告没有收录第 ${n} 帧的详细结构（见 --packet-trees）；可以用 httpsflow show ${f} --frame ${n} 查看。`, phases: { tcp: "TCP 握手", tls: "TLS 握手", wait: "等待数据", transfer: "传输" },
      subject: "使用者", issuer: "签发者", validity: "有效期", atCapture: "抓包时", valid: "有效", invalid: "无效", sans: "名字", key: "公钥", sig: "签名算法",
      serial: "序列号", sha256: "SHA-256", sha1: "SHA-1", issuedBy: "由下一张证书签发", noCerts: "没有明文证书（TLS 1.3 会加密证书，或者抓包中没有握手）。",
      cert: { "cert.valid": "有效", "cert.unknownissuer": "根证书不受信任", "cert.expired": "已过期", "cert.not_yet_valid": "尚未生效",
        "cert.name_mismatch": "名字不符", "cert.selfsigned": "自签名", "cert.incompletechain": "证书链不完整", "cert.signaturemismatch": "签名错误" }, all: "全部问题", conn: "连接", prev: "‹", next: "›", client: "客户端", server: "服务端" },
  };
  const L = T[data.lang] || T.en;
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k.nodeType ? k : String(k));
    return e;
  };
  const SVG = "http://www.w3.org/2000/svg";
  const sv = (tag, attrs, text) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
  const conns = data.connections;

  document.title = `${L.title}: ${data.file}`;
  $("page-title").textContent = L.title;
  $("page-sub").textContent = L.sub(data.file, conns.length);

  // ---- all findings at the top
  const allFindings = [];
  conns.forEach((c, i) => c.findings.forEach(f => { if (f.level !== "info") allFindings.push([i, f]); }));
  const fa = $("findings-all");
  if (allFindings.length) {
    fa.append(el("h2", null, L.all));
    const ul = el("ul");
    for (const [i, f] of allFindings.slice(0, 200))
      ul.append(el("li", { class: "lvl-" + f.level }, el("a", { href: "#connection", onclick: () => show(i) }, `${L.conn} ${conns[i].stream}`), ": ", f.text));
    fa.append(ul);
  }

  // ---- overview: sortable, searchable, paginated
  const PAGE = 50;
  let sortCol = 0, sortDir = 1, page = 0, current = -1, rows = conns.map((c, i) => i);
  const cell = (c, k) => [c.stream, c.client, c.server, c.sni, c.version, c.suite, c.alpn, c.resumed ? L.yes : L.no,
    L.cert[c.certStatus] || c.certStatus, c.ja3, c.rtt ?? "", c.handshake ?? "", c.findings.filter(f => f.level !== "info").length][k];
  const head = el("tr");
  L.cols.forEach((name, k) => head.append(el("th", { "data-col": k, onclick: () => { sortDir = sortCol === k ? -sortDir : 1; sortCol = k; render(); } }, name)));
  $("conn-table").tHead.append(head);
  const search = $("search");
  search.placeholder = L.search;
  search.addEventListener("input", () => { page = 0; render(); });
  function render() {
    const q = search.value.trim().toLowerCase();
    rows = conns.map((c, i) => i).filter(i => !q || L.cols.some((_, k) => String(cell(conns[i], k)).toLowerCase().includes(q)));
    rows.sort((a, b) => { const x = cell(conns[a], sortCol), y = cell(conns[b], sortCol); return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sortDir; });
    for (const th of head.children) th.className = Number(th.dataset.col) === sortCol ? (sortDir > 0 ? "sorted-asc" : "sorted-desc") : "";
    const body = $("conn-table").tBodies[0];
    body.replaceChildren();
    for (const i of rows.slice(page * PAGE, page * PAGE + PAGE)) {
      const c = conns[i];
      const tr = el("tr", { "data-index": i, class: i === current ? "current" : "", onclick: () => show(i) });
      L.cols.forEach((_, k) => {
        let v = cell(c, k);
        if (k === 12 && v) v = el("span", { class: "badge " + ["", "", "warning", "error"][c.worst] }, v);
        if (k === 9 && v) v = el("span", { title: v }, String(v).slice(0, 12) + "…");
        tr.append(el("td", k === 9 ? { class: "mono" } : null, v));
      });
      body.append(tr);
    }
    $("count").textContent = L.shown(rows.length, conns.length);
    const pages = Math.ceil(rows.length / PAGE), pager = $("pager");
    pager.replaceChildren();
    if (pages > 1) {
      pager.append(el("button", { onclick: () => { if (page > 0) { page--; render(); } } }, L.prev), ` ${page + 1} / ${pages} `,
        el("button", { onclick: () => { if (page < pages - 1) { page++; render(); } } }, L.next));
    }
  }

  // ---- one connection
  function facts(list) {
    const t = el("table", { class: "facts" });
    for (const [k, v] of list) t.append(el("tr", null, el("td", null, k), el("td", null, v)));
    return t;
  }

  function waterfall(c) {
    const p = c.phases, end = p.end || 1, W = 620, H = 22;
    const names = ["tcp", "tls", "wait", "transfer"].filter(n => p[n]);
    const s = sv("svg", { class: "waterfall", width: W + 220, height: names.length * (H + 6) + 4, role: "img" });
    names.forEach((n, i) => {
      const [a, b] = p[n], x = 200 + a / end * W, w = Math.max(2, (b - a) / end * W), y = 2 + i * (H + 6);
      s.append(sv("text", { x: 0, y: y + 15 }, L.phases[n]));
      const r = sv("rect", { class: n, x, y, width: w, height: H, rx: 3 });
      r.append(sv("title", {}, `${L.phases[n]}: ${(b - a).toFixed(3)} ms`));
      s.append(r);
      s.append(sv("text", { x: Math.min(x + w + 6, W + 160), y: y + 15, class: "time" }, `${(b - a).toFixed(3)} ms`));
    });
    return s;
  }

  function diagram(c) {
    const W = 620, left = 150, right = W - 20, row = 40, top = 34;
    const s = sv("svg", { id: "diagram", width: W, height: top + c.frames.length * row + 10 });
    s.append(sv("text", { x: left, y: 16, "text-anchor": "middle" }, `${L.client} ${c.client}`));
    s.append(sv("text", { x: right, y: 16, "text-anchor": "end" }, `${L.server} ${c.server}`));
    s.append(sv("line", { class: "lane", x1: left, y1: 22, x2: left, y2: top + c.frames.length * row }));
    s.append(sv("line", { class: "lane", x1: right, y1: 22, x2: right, y2: top + c.frames.length * row }));
    c.frames.forEach((f, i) => {
      const y = top + i * row + 18;
      const cls = ["arrow", f.c ? "c" : "s", f.retrans ? "retrans" : "", f.alert ? "alert" : "", f.trouble ? "trouble" : ""].join(" ").trim();
      const g = sv("g", { class: cls, "data-frame": f.n });
      g.append(sv("rect", { class: "hit", x: 0, y: y - 18, width: W, height: row }));
      g.append(sv("text", { x: 4, y: y - 2, class: "time" }, `#${f.n}`));
      g.append(sv("text", { x: 4, y: y + 12, class: "time" }, `${f.t.toFixed(3)} ms`));
      const x1 = f.c ? left : right, x2 = f.c ? right - 8 : left + 8;
      g.append(sv("line", { x1, y1: y, x2, y2: y }));
      g.append(sv("polygon", { points: f.c ? `${right},${y} ${right - 9},${y - 4} ${right - 9},${y + 4}` : `${left},${y} ${left + 9},${y - 4} ${left + 9},${y + 4}` }));
      const label = f.label.length > 64 ? f.label.slice(0, 62) + "…" : f.label;
      const lt = sv("text", { class: "lbl", x: (left + right) / 2, y: y - 5, "text-anchor": "middle" }, label);
      g.append(lt);
      g.append(sv("text", { class: "nums", x: (left + right) / 2, y: y + 13, "text-anchor": "middle" }, f.nums));
      g.append(sv("title", {}, `#${f.n} ${f.label} ${f.nums}`));
      g.addEventListener("click", () => select(f.n));
      s.append(g);
    });
    return s;
  }

  function certCards(c) {
    const box = el("div", { class: "cards" });
    c.certs.forEach((k, i) => {
      const dl = el("dl");
      const row = (a, b) => { dl.append(el("dt", null, a), el("dd", null, b)); };
      row(L.subject, k.subject); row(L.issuer, k.issuer);
      row(L.validity, `${k.notBefore} – ${k.notAfter}`);
      row(L.atCapture, k.validAtCapture ? L.valid : L.invalid);
      if (k.sans.length) row(L.sans, k.sans.join(", "));
      row(L.key, k.key); row(L.sig, k.signature); row(L.serial, k.serial);
      row(L.sha256, el("span", { class: "mono" }, k.sha256)); row(L.sha1, el("span", { class: "mono" }, k.sha1));
      box.append(el("div", { class: "card" + (k.validAtCapture ? "" : " bad"), "data-index": i }, el("h4", null, `[${i + 1}] ${k.subjectName}`), dl));
      if (i + 1 < c.certs.length) box.append(el("div", { class: "link", title: k.signedByNext ? L.issuedBy : "" }, k.signedByNext ? "←" : "?"));
    });
    return box;
  }

  // Each connection's details are gzip-compressed JSON in base64, inflated when the connection is opened.
  const loaded = new Map();
  async function details(i) {
    if (!loaded.has(i)) {
      const bytes = Uint8Array.from(atob(data.details[i]), ch => ch.charCodeAt(0));
      const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
      loaded.set(i, JSON.parse(text));
    }
    return loaded.get(i);
  }

  let packets = {};
  async function show(i) {
    current = i;
    const c = Object.assign({}, conns[i], await details(i)), box = $("connection");
    packets = c.packets || {};
    box.replaceChildren();
    box.append(el("h2", null, c.title));
    box.append(facts(c.header));
    box.append(el("h3", null, L.findings));
    if (c.findings.length) { const ul = el("ul"); for (const f of c.findings) ul.append(el("li", { class: "lvl-" + f.level }, f.text)); box.append(ul); }
    else box.append(el("p", { class: "muted" }, L.none));
    box.append(el("h3", null, L.timing), waterfall(c), facts(c.timing));
    const stepsBox = el("div", { id: "steps" });
    for (const st of c.steps)
      stepsBox.append(el("p", { class: "step" + (st.bullet ? " bullet" : ""), "data-frame": st.frame, onclick: () => { if (st.frame) select(st.frame); } }, st.text));
    box.append(el("div", { class: "split" },
      el("div", null, el("h3", null, L.diagram), el("div", { id: "diagram-wrap" }, diagram(c))),
      el("div", null, el("h3", null, L.steps), stepsBox)));
    box.append(el("div", { id: "packet" }, el("div", null, el("h3", { id: "packet-title" }, L.packet), el("div", { id: "tree" })), el("div", null, el("h3", null, "Hex"), el("pre", { id: "hex" }))));
    box.append(el("h3", null, L.chain), c.certs.length ? certCards(c) : el("p", { class: "muted" }, L.noCerts));
    for (const tr of $("conn-table").tBodies[0].rows) tr.classList.toggle("current", Number(tr.dataset.index) === i);
  }

  function select(n) {
    document.querySelectorAll("#diagram .arrow").forEach(g => g.classList.toggle("selected", Number(g.dataset.frame) === n));
    let first = null;
    document.querySelectorAll("#steps .step").forEach(p => { const on = Number(p.dataset.frame) === n; p.classList.toggle("selected", on); if (on && !first) first = p; });
    if (first) first.scrollIntoView({ block: "nearest" });
    const pane = $("packet");
    pane.classList.add("open");
    $("packet-title").textContent = `${L.packet} #${n}`;
    const pk = packets[String(n)];
    const tree = $("tree"), hex = $("hex");
    tree.replaceChildren(); hex.replaceChildren();
    if (!pk) { tree.append(el("p", { class: "muted" }, L.noTree(data.file, n))); return; }
    const bytes = Uint8Array.from(atob(pk.hex), ch => ch.charCodeAt(0));
    for (let o = 0; o < bytes.length; o += 16) {
      hex.append(o.toString(16).padStart(4, "0") + "  ");
      for (let k = 0; k < 16; k++) {
        if (o + k < bytes.length) hex.append(el("span", { class: "b", "data-i": o + k }, bytes[o + k].toString(16).padStart(2, "0")));
        else hex.append("  ");
        hex.append(k === 7 ? "  " : " ");
      }
      let ascii = "";
      for (let k = o; k < Math.min(o + 16, bytes.length); k++) ascii += bytes[k] >= 32 && bytes[k] < 127 ? String.fromCharCode(bytes[k]) : ".";
      hex.append(" " + ascii + "\n");
    }
    const ul = el("ul");
    const add = (parent, node) => {
      const label = el("span", { class: "node", "data-offset": node.offset, "data-length": node.length, title: node.field || "" }, node.label);
      label.addEventListener("click", (e) => { e.preventDefault(); highlight(node.offset, node.length, label); });
      const li = el("li");
      if (node.children && node.children.length) {
        const d = el("details", null, el("summary", null, label));
        const sub = el("ul");
        node.children.forEach(ch => add(sub, ch));
        d.append(sub);
        li.append(d);
      } else li.append(label);
      parent.append(li);
    };
    pk.tree.forEach(n2 => add(ul, n2));
    tree.append(ul);
    const last = ul.lastElementChild && ul.lastElementChild.querySelector("details");
    if (last) last.open = true;
  }

  function highlight(offset, length, label) {
    document.querySelectorAll("#tree .node.selected").forEach(x => x.classList.remove("selected"));
    label.classList.add("selected");
    document.querySelectorAll("#hex span.b").forEach(b => { const i = Number(b.dataset.i); b.classList.toggle("hl", length > 0 && i >= offset && i < offset + length); });
  }

  render();
  if (conns.length) show(0).then(() => document.body.setAttribute("data-ready", "1"));
  else document.body.setAttribute("data-ready", "1");
})();
