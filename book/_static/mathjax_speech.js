/* Speech for the formulas of the book, also when it is read from disk (file://).
 *
 * MathJax's speech rule engine fetches its rules (sre/mathmaps/LOCALE.json) with
 * XMLHttpRequest, which browsers refuse for file:// pages. conf.py writes each rule file as a
 * script, _static/sre-mathmaps/LOCALE.js, that stores the JSON text in
 * window.reglabMathmaps[LOCALE]; the engine is given a loader that adds that script to the
 * page, once MathJax's a11y/sre component has loaded. Runs before MathJax (which is deferred)
 * and after the window.MathJax configuration that Sphinx writes.
 */
(function () {
  "use strict";
  const folder = document.currentScript.src.replace(/[^/]*$/, "") + "sre-mathmaps/";
  const maps = (window.reglabMathmaps = window.reglabMathmaps || {});

  function loadLocale(locale) {
    return new Promise(function (resolve, reject) {
      if (locale in maps) return resolve(maps[locale]);
      const script = document.createElement("script");
      script.src = folder + locale + ".js";
      script.onload = function () {
        if (locale in maps) resolve(maps[locale]);
        else reject(new Error(script.src + " defines no speech rules for " + locale));
      };
      script.onerror = function () {
        reject(new Error("no speech rules at " + script.src));
      };
      document.head.appendChild(script);
    });
  }

  const config = (window.MathJax = window.MathJax || {});
  config.loader = config.loader || {};
  config.loader["a11y/sre"] = {
    checkReady: function () {
      window.SREfeature.custom = loadLocale;
      return Promise.resolve();
    },
  };
})();
