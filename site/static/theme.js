// Light/dark switching. The theme shown is the reader's stored choice, else the site's default
// (data-default-theme on <html>, set by `site build --theme`), else the system preference.
// This file runs in <head>, so data-theme is set before the first paint (no flash of the wrong
// theme); CSS then shows the matching figure and colours. No network, no dependencies.
(function () {
  "use strict";
  var KEY = "galleryforge-theme";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (error) {
      return null; // storage can be blocked (file://, privacy settings): fall back quietly
    }
  }

  function preferred() {
    var fallback = root.getAttribute("data-default-theme");
    if (stored()) return stored();
    if (fallback === "light" || fallback === "dark") return fallback;
    return media && media.matches ? "dark" : "light";
  }

  function syncFrames(theme) {
    var frames = document.querySelectorAll("iframe[data-src-light]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      var src = frame.getAttribute("data-src-" + theme);
      frame.setAttribute("width", frame.getAttribute("data-width-" + theme));
      frame.setAttribute("height", frame.getAttribute("data-height-" + theme));
      if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
    }
  }

  function syncButtons(theme) {
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
    }
  }

  function apply(theme) {
    root.setAttribute("data-theme", theme);
    if (document.readyState !== "loading") {
      syncFrames(theme);
      syncButtons(theme);
    }
  }

  apply(preferred());

  document.addEventListener("DOMContentLoaded", function () {
    apply(root.getAttribute("data-theme"));
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
        try {
          window.localStorage.setItem(KEY, next);
        } catch (error) {
          // not remembered across pages, but the switch still works on this one
        }
        apply(next);
      });
    }
  });

  // Follow the system while the reader has not chosen.
  if (media && media.addEventListener) {
    media.addEventListener("change", function () {
      if (!stored()) apply(preferred());
    });
  }
})();
