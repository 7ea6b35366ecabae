// The feature index of one layer: loads the layer's shards one by one (script tags, so it works
// from file:// too), then filters, sorts and pages the latents. Rows are built with textContent:
// token text from the corpus is never parsed as markup.
(function () {
  "use strict";
  const root = document.querySelector("[data-feature-index]");
  if (!root) return;
  const PAGE = 50;
  const shards = Number(root.dataset.shards);
  const rows = [];
  let loaded = 0;
  let page = 0;
  const form = root.querySelector(".feature-filters");
  const body = root.querySelector(".feature-table tbody");
  const count = root.querySelector(".feature-count");
  const pageLabel = root.querySelector(".feature-page");
  const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumSignificantDigits: 3 });
  const whole = new Intl.NumberFormat();

  window.gfFeatureShard = function (data) {
    for (const r of data.rows) {
      rows.push({ latent: r[0], frequency: r[1], fired: r[2], mean: r[3], max: r[4], tokens: r[5], page: r[6] === 1 });
    }
    loaded += 1;
    render();
    next();
  };

  function next() {
    if (loaded >= shards) return;
    const script = document.createElement("script");
    script.src = "shard-" + String(loaded).padStart(3, "0") + ".js";
    script.onerror = function () { count.textContent = "Could not load " + script.src + "."; };
    document.head.appendChild(script);
  }

  function number(name) {
    const value = form.elements[name].value;
    return value === "" ? null : Number(value);
  }

  function selected() {
    const token = form.elements.token.value.trim().toLowerCase();
    const minF = number("min_frequency");
    const maxF = number("max_frequency");
    const minMax = number("min_max");
    const found = rows.filter(function (r) {
      if (minF !== null && r.frequency * 100 < minF) return false;
      if (maxF !== null && r.frequency * 100 > maxF) return false;
      if (minMax !== null && r.max < minMax) return false;
      if (token && !r.tokens.some(function (t) { return t.toLowerCase().includes(token); })) return false;
      return true;
    });
    const [key, direction] = form.elements.sort.value.split("-");
    const sign = direction === "asc" ? 1 : -1;
    found.sort(function (a, b) { return sign * (a[key] - b[key]) || a.latent - b.latent; });
    return found;
  }

  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function render() {
    const found = selected();
    const pages = Math.max(1, Math.ceil(found.length / PAGE));
    page = Math.min(page, pages - 1);
    body.replaceChildren();
    for (const r of found.slice(page * PAGE, (page + 1) * PAGE)) {
      const tr = document.createElement("tr");
      tr.dataset.latent = r.latent;
      const first = cell(tr, "");
      if (r.page) {
        const a = document.createElement("a");
        a.href = r.latent + ".html";
        a.textContent = r.latent;
        first.appendChild(a);
      } else {
        first.textContent = r.latent;
      }
      cell(tr, percent.format(r.frequency));
      cell(tr, whole.format(r.fired));
      cell(tr, r.mean.toPrecision(3));
      cell(tr, r.max.toPrecision(3));
      cell(tr, r.tokens.join(" · "));
      body.appendChild(tr);
    }
    const state = loaded < shards ? " (loading " + loaded + "/" + shards + " shards)" : "";
    count.textContent = whole.format(found.length) + " of " + whole.format(rows.length) + " latents" + state;
    pageLabel.textContent = "page " + (page + 1) + " of " + pages;
  }

  form.addEventListener("input", function () { page = 0; render(); });
  root.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      page = Math.max(0, page + Number(button.dataset.step));
      render();
    });
  });
  next();
})();
