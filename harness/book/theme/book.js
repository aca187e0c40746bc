// The book's behaviour in the browser: contents sidebar, keyboard, search, themes, copy buttons,
// collapsible blocks, syntax highlighting and diagrams. Works from file:// and from a server.
// The npm libraries (highlight.js, mermaid, MiniSearch) are loaded from vendor/ when present;
// without them code stays plain, diagrams show their source, and search uses a simple matcher
// over the same prebuilt index.
(function () {
  "use strict";

  var html = document.documentElement;
  var root = html.getAttribute("data-root") || "";
  var store = {
    get: function (key) { try { return localStorage.getItem(key); } catch (e) { return null; } },
    set: function (key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  };

  function $(id) { return document.getElementById(id); }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { script.remove(); reject(new Error("not found: " + src)); };
      document.head.appendChild(script);
    });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function isTyping(event) {
    var target = event.target;
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // ---------------------------------------------------------------- themes

  var darkQuery = window.matchMedia ? matchMedia("(prefers-color-scheme: dark)") : null;

  function currentTheme() { return html.getAttribute("data-theme") || "light"; }
  function isDark() { return html.classList.contains("dark"); }

  function applyTheme(theme) {
    var dark = theme === "dark" || (theme === "auto" && darkQuery && darkQuery.matches);
    var wasDark = isDark();
    html.setAttribute("data-theme", theme);
    html.classList.toggle("dark", dark);
    html.classList.toggle("light", !dark);
    document.querySelectorAll("#theme-list .theme").forEach(function (button) {
      button.setAttribute("aria-checked", String(button.getAttribute("data-theme") === theme));
    });
    if (wasDark !== dark) redrawDiagrams();
  }

  function setupThemes() {
    var toggle = $("theme-toggle");
    var list = $("theme-list");
    applyTheme(currentTheme());
    function close(focusToggle) {
      list.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      if (focusToggle) toggle.focus();
    }
    toggle.addEventListener("click", function (event) {
      event.stopPropagation();
      var opening = list.hidden;
      list.hidden = !opening;
      toggle.setAttribute("aria-expanded", String(opening));
      if (opening) {
        var checked = list.querySelector('[aria-checked="true"]') || list.querySelector(".theme");
        checked.focus();
      }
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".theme");
      if (!button) return;
      var theme = button.getAttribute("data-theme");
      store.set("wb-theme", theme);
      applyTheme(theme);
      close(true);
    });
    list.addEventListener("keydown", function (event) {
      var items = Array.prototype.slice.call(list.querySelectorAll(".theme"));
      var at = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown") { items[(at + 1) % items.length].focus(); event.preventDefault(); }
      if (event.key === "ArrowUp") { items[(at + items.length - 1) % items.length].focus(); event.preventDefault(); }
      if (event.key === "Escape") { close(true); event.preventDefault(); }
    });
    document.addEventListener("click", function (event) {
      if (!list.hidden && !list.contains(event.target)) close(false);
    });
    if (darkQuery && darkQuery.addEventListener) {
      darkQuery.addEventListener("change", function () {
        if (currentTheme() === "auto") applyTheme("auto");
      });
    }
    // Another tab changed the theme: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key === "wb-theme" && event.newValue) applyTheme(event.newValue);
    });
  }

  // ---------------------------------------------------------------- sidebar

  function narrow() { return window.innerWidth < 1080; }

  function setSidebar(visible, remember) {
    html.classList.toggle("sidebar-visible", visible);
    html.classList.toggle("sidebar-hidden", !visible);
    $("sidebar-toggle").setAttribute("aria-expanded", String(visible));
    if (remember && !narrow()) store.set("wb-sidebar", visible ? "visible" : "hidden");
  }

  function toggleSidebar() { setSidebar(!html.classList.contains("sidebar-visible"), true); }

  function setupSidebar() {
    $("sidebar-toggle").addEventListener("click", toggleSidebar);
    $("sidebar-toggle").setAttribute("aria-expanded", String(html.classList.contains("sidebar-visible")));
    // On a narrow screen the contents cover the text: a tap on the text closes them.
    $("page-wrapper").addEventListener("click", function (event) {
      if (narrow() && html.classList.contains("sidebar-visible") && !event.target.closest("#sidebar-toggle")) {
        setSidebar(false, false);
      }
    });
    var active = document.querySelector("#sidebar a.active");
    if (active) {
      var box = document.querySelector(".sidebar-scrollbox");
      var top = active.offsetTop - box.clientHeight / 3;
      if (top > 0) box.scrollTop = top;
    }
  }

  // ---------------------------------------------------------------- code blocks

  var copyIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="9" y="9" width="11" height="11" rx="2"/><path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/></svg>';
  var doneIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M20 6 9 17l-5-5"/></svg>';

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      (ok ? resolve : reject)();
    });
  }

  function setupCodeBlocks() {
    document.querySelectorAll(".content pre > code").forEach(function (code) {
      var pre = code.parentElement;
      var wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.parentNode.insertBefore(wrapper, pre);
      wrapper.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.title = "Copy to clipboard";
      button.setAttribute("aria-label", "Copy this code");
      button.innerHTML = copyIcon;
      button.addEventListener("click", function () {
        copyText(code.textContent.replace(/\n$/, "")).then(function () {
          button.classList.add("copied");
          button.innerHTML = doneIcon + "<span>Copied</span>";
          setTimeout(function () { button.classList.remove("copied"); button.innerHTML = copyIcon; }, 1500);
        }, function () { button.title = "Select the code and copy it by hand"; });
      });
      wrapper.appendChild(button);
    });
  }

  function highlightCode() {
    var blocks = document.querySelectorAll('.content pre > code[class*="language-"]:not(.language-plaintext)');
    if (!blocks.length) return;
    loadScript(root + "vendor/highlight.min.js")
      .then(function () { return loadScript(root + "vendor/highlight-cmake.min.js").catch(function () {}); })
      .then(function () {
        blocks.forEach(function (block) {
          var language = (block.className.match(/language-([\w+-]+)/) || [])[1];
          if (language && window.hljs.getLanguage(language)) window.hljs.highlightElement(block);
        });
      })
      .catch(function () { /* plain code is fine */ });
  }

  // ---------------------------------------------------------------- collapsible blocks

  function setupDetails() {
    document.querySelectorAll(".content details > summary").forEach(function (summary) {
      var text = summary.textContent;
      if (/solution|answer/i.test(text)) summary.parentElement.classList.add("solution");
      else if (/exercise|hint|try it/i.test(text)) summary.parentElement.classList.add("exercise");
    });
    // A link to something inside a closed block opens the block.
    function openTarget() {
      if (!location.hash) return;
      var target;
      try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (e) { return; }
      for (var node = target; node; node = node.parentElement) {
        if (node.tagName === "DETAILS") node.open = true;
      }
    }
    window.addEventListener("hashchange", openTarget);
    openTarget();
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(".content details").forEach(function (d) { d.open = true; });
    });
  }

  // ---------------------------------------------------------------- diagrams

  var diagrams = [];
  var mermaidReady = null;

  function drawDiagrams() {
    if (!diagrams.length || !window.mermaid) return Promise.resolve();
    var font = getComputedStyle(document.body).fontFamily;
    window.mermaid.initialize(isDark() ? {
      startOnLoad: false,
      securityLevel: "strict",
      theme: "base",
      fontFamily: font,
      themeVariables: {
        darkMode: true,
        fontFamily: font,
        background: "#161923",
        primaryColor: "#263151",
        primaryTextColor: "#dfe1ef",
        primaryBorderColor: "#5d6fa8",
        secondaryColor: "#2b3046",
        tertiaryColor: "#1d2130",
        lineColor: "#9aa0c0",
        textColor: "#c4c6d8",
        noteBkgColor: "#3b3722",
        noteTextColor: "#ece3bd",
        noteBorderColor: "#7d6f3a",
        actorBkg: "#263151",
        actorBorder: "#5d6fa8",
        actorTextColor: "#dfe1ef",
        signalColor: "#c4c6d8",
        signalTextColor: "#c4c6d8",
        labelBoxBkgColor: "#263151",
        edgeLabelBackground: "#1d2130",
        clusterBkg: "#1b2030",
        clusterBorder: "#3b4158"
      }
    } : {
      startOnLoad: false,
      securityLevel: "strict",
      theme: "default",
      fontFamily: font,
      themeVariables: { fontFamily: font }
    });
    return window.mermaid.run({ nodes: diagrams.map(function (d) { return d.node; }), suppressErrors: true });
  }

  function redrawDiagrams() {
    if (!mermaidReady) return;
    mermaidReady.then(function () {
      diagrams.forEach(function (d) {
        d.node.removeAttribute("data-processed");
        d.node.textContent = d.source;
      });
      return drawDiagrams();
    });
  }

  function setupDiagrams() {
    document.querySelectorAll(".content pre.mermaid").forEach(function (node) {
      diagrams.push({ node: node, source: node.textContent });
    });
    if (!diagrams.length) return;
    mermaidReady = loadScript(root + "vendor/mermaid.min.js").then(drawDiagrams, function () {
      mermaidReady = null; // no mermaid: the diagram's source stays on the page
    });
  }

  // ---------------------------------------------------------------- search

  var search = { engine: null, loading: null, results: [], focus: -1 };

  // The same terms the book builder put in the index: split on spaces and punctuation, lower case.
  function terms(text) {
    return text.split(/[\n\r\p{Z}\p{P}]+/u).map(function (t) { return t.toLowerCase(); }).filter(Boolean);
  }

  // Used when MiniSearch is not installed: every query term must prefix-match an indexed term.
  function fallbackEngine(data) {
    var index = data.index.index;
    var stored = data.index.storedFields;
    return function (query) {
      var words = terms(query);
      if (!words.length) return [];
      var scores = null;
      words.forEach(function (word) {
        var found = {};
        index.forEach(function (entry) {
          if (entry[0].indexOf(word) !== 0) return;
          var exact = entry[0] === word ? 1 : 0.5;
          Object.keys(entry[1]).forEach(function (field) {
            var weight = field === "0" ? 3 : 1;
            var docs = entry[1][field];
            Object.keys(docs).forEach(function (doc) {
              found[doc] = (found[doc] || 0) + weight * exact * Math.log(1 + docs[doc]);
            });
          });
        });
        if (scores === null) { scores = found; return; }
        Object.keys(scores).forEach(function (doc) {
          if (found[doc] === undefined) delete scores[doc];
          else scores[doc] += found[doc];
        });
      });
      return Object.keys(scores || {}).sort(function (a, b) { return scores[b] - scores[a]; })
        .map(function (doc) {
          var entry = stored[doc];
          return { title: entry.title, breadcrumbs: entry.breadcrumbs, url: entry.url, body: entry.body, terms: words };
        });
    };
  }

  function loadSearch() {
    if (search.loading) return search.loading;
    var library = loadScript(root + "vendor/minisearch.js").catch(function () { return null; });
    var data = window.wbSearchIndex ? Promise.resolve() : loadScript(root + "searchindex.js");
    search.loading = Promise.all([library, data]).then(function () {
      var index = window.wbSearchIndex;
      if (window.MiniSearch) {
        var mini = typeof window.MiniSearch.loadJS === "function"
          ? window.MiniSearch.loadJS(index.index, index.options)
          : window.MiniSearch.loadJSON(JSON.stringify(index.index), index.options);
        search.engine = function (query) {
          return mini.search(query, {
            prefix: true,
            // Typos are forgiven in longer words only: "wake" is not a misspelt "waker".
            fuzzy: function (term) { return term.length > 5 ? 0.2 : false; },
            combineWith: "AND",
            boost: { title: 3 }
          });
        };
      } else {
        search.engine = fallbackEngine(index);
      }
    });
    return search.loading;
  }

  function teaser(body, words) {
    var lower = body.toLowerCase();
    var at = -1;
    words.forEach(function (word) {
      var i = lower.indexOf(word.toLowerCase());
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    // About 200 characters around the first hit, cut at spaces rather than inside words.
    var start = Math.max(0, at - 60);
    if (start > 0) {
      var space = body.indexOf(" ", start);
      start = space >= 0 && space < at ? space + 1 : start;
    }
    var end = Math.min(body.length, start + 200);
    if (end < body.length) {
      var cut = body.lastIndexOf(" ", end);
      if (cut > at) end = cut;
    }
    var text = body.slice(start, end).trim();
    var html = (start > 0 ? "… " : "") + escapeHtml(text) + (end < body.length ? " …" : "");
    words.forEach(function (word) {
      if (!word) return;
      var pattern = new RegExp("(" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[\\w]*)", "gi");
      html = html.replace(pattern, "<mark>$1</mark>");
    });
    return html;
  }

  function resultHref(result, words) {
    var hash = result.url.indexOf("#");
    var page = hash < 0 ? result.url : result.url.slice(0, hash);
    var fragment = hash < 0 ? "" : result.url.slice(hash);
    return root + page + "?highlight=" + encodeURIComponent(words.join(" ")) + fragment;
  }

  function showResults(query) {
    var list = $("search-results");
    var header = $("search-results-header");
    list.innerHTML = "";
    search.focus = -1;
    if (!query.trim()) { header.textContent = ""; search.results = []; return; }
    var results = search.engine(query).slice(0, 30);
    search.results = results;
    var words = terms(query);
    header.textContent = results.length
      ? results.length + (results.length === 30 ? "+" : "") + " result" + (results.length === 1 ? "" : "s") + " for “" + query + "”"
      : "Nothing found for “" + query + "”";
    results.forEach(function (result) {
      var shown = result.terms && result.terms.length ? result.terms.concat(words) : words;
      var item = document.createElement("li");
      item.innerHTML = '<a href="' + escapeHtml(resultHref(result, words)) + '">' +
        '<span class="result-title">' + escapeHtml(result.breadcrumbs || result.title) + "</span>" +
        '<span class="result-teaser">' + teaser(result.body || "", shown) + "</span></a>";
      list.appendChild(item);
    });
  }

  function focusResult(at) {
    var items = $("search-results").children;
    if (!items.length) return;
    if (search.focus >= 0 && items[search.focus]) items[search.focus].classList.remove("focus");
    search.focus = Math.max(-1, Math.min(items.length - 1, at));
    if (search.focus < 0) { $("search-bar").focus(); return; }
    items[search.focus].classList.add("focus");
    items[search.focus].querySelector("a").focus();
  }

  function openSearch() {
    var wrapper = $("search-wrapper");
    wrapper.hidden = false;
    $("search-toggle").setAttribute("aria-expanded", "true");
    var bar = $("search-bar");
    bar.focus();
    bar.select();
    loadSearch().then(function () { if (bar.value) showResults(bar.value); });
  }

  function closeSearch() {
    $("search-wrapper").hidden = true;
    $("search-toggle").setAttribute("aria-expanded", "false");
    $("content").focus({ preventScroll: true });
  }

  function setupSearch() {
    var bar = $("search-bar");
    var timer = null;
    $("search-toggle").addEventListener("click", function () {
      if ($("search-wrapper").hidden) openSearch(); else closeSearch();
    });
    bar.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        loadSearch().then(function () { showResults(bar.value); });
      }, 60);
    });
    bar.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { focusResult(0); event.preventDefault(); }
      if (event.key === "Enter") {
        clearTimeout(timer);
        loadSearch().then(function () {
          showResults(bar.value);
          var first = $("search-results").querySelector("a");
          if (first) first.click();
        });
        event.preventDefault();
      }
      if (event.key === "Escape") { closeSearch(); event.preventDefault(); }
    });
    $("search-results").addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { focusResult(search.focus + 1); event.preventDefault(); }
      if (event.key === "ArrowUp") { focusResult(search.focus - 1); event.preventDefault(); }
      if (event.key === "Escape") { closeSearch(); event.preventDefault(); }
    });
    // Opened from a result: mark the words that were searched for.
    var params = new URLSearchParams(location.search);
    var wanted = params.get("highlight");
    if (wanted) markWords(terms(wanted));
  }

  function markWords(words) {
    if (!words.length) return;
    var pattern = new RegExp("(" + words.map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")", "gi");
    var walker = document.createTreeWalker($("content"), NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var parent = node.parentElement;
        if (!parent || parent.closest("pre, script, style, .exercises-card, .chapter-nav")) return NodeFilter.FILTER_REJECT;
        return pattern.test(node.nodeValue) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      pattern.lastIndex = 0;
      var span = document.createElement("span");
      span.innerHTML = escapeHtml(node.nodeValue).replace(pattern, '<mark class="search-hit">$1</mark>');
      node.parentNode.replaceChild(span, node);
      while (span.firstChild) span.parentNode.insertBefore(span.firstChild, span);
      span.remove();
    });
  }

  // ---------------------------------------------------------------- keyboard and help

  function toggleHelp(show) {
    var help = $("help");
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) help.querySelector(".help-close").focus();
  }

  function setupKeyboard() {
    $("help-toggle").addEventListener("click", function () { toggleHelp(true); });
    $("help").addEventListener("click", function (event) {
      if (event.target === $("help") || event.target.hasAttribute("data-close-help")) toggleHelp(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        if (!$("help").hidden) { toggleHelp(false); return; }
        if (!$("search-wrapper").hidden) { closeSearch(); return; }
      }
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event)) return;
      if (!$("help").hidden && event.key !== "?") return;
      var link = null;
      switch (event.key) {
        case "ArrowLeft": link = document.querySelector('.chapter-nav a[rel="prev"]'); break;
        case "ArrowRight": link = document.querySelector('.chapter-nav a[rel="next"]'); break;
        case "s": case "S": case "/": openSearch(); event.preventDefault(); return;
        case "?": toggleHelp(); event.preventDefault(); return;
        case "t": case "T": toggleSidebar(); event.preventDefault(); return;
        default: return;
      }
      if (link) { event.preventDefault(); window.location.href = link.href; }
    });
  }

  // ---------------------------------------------------------------- print page and live reload

  function setupPrintPage() {
    if (!document.body.classList.contains("print-page")) return;
    document.querySelectorAll(".content details").forEach(function (d) { d.open = true; });
    // Print once the diagrams are drawn; not under automation, where a dialog would block.
    if (navigator.webdriver) return;
    var ready = mermaidReady || Promise.resolve();
    ready.then(function () { setTimeout(function () { window.print(); }, 300); });
  }

  function setupLiveReload() {
    if (html.getAttribute("data-live-reload") !== "true" || !/^https?:$/.test(location.protocol)) return;
    var seen = null;
    setInterval(function () {
      fetch("/__wb/build", { cache: "no-store" }).then(function (response) { return response.text(); })
        .then(function (build) {
          if (seen !== null && build !== seen) location.reload();
          seen = build;
        }).catch(function () { /* server stopped: keep the page */ });
    }, 1000);
  }

  setupThemes();
  setupSidebar();
  setupDetails();
  setupCodeBlocks();
  highlightCode();
  setupDiagrams();
  setupSearch();
  setupKeyboard();
  setupPrintPage();
  setupLiveReload();
})();
