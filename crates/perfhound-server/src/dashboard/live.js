// The live view: polls /live.json once a second and writes numbers as text (never HTML).
"use strict";
(function () {
  var body = document.body;
  var updates = 0;
  function set(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function ms(us) { return (us / 1000).toFixed(us < 10000 ? 2 : 1) + " ms"; }
  function poll() {
    fetch("/live.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        updates += 1;
        body.setAttribute("data-updates", String(updates));
        if (!s) { set("live-state", "no load is running"); return; }
        set("live-state", s.running ? "running" : "finished");
        set("live-label", s.label);
        set("live-elapsed", s.elapsed_s.toFixed(1) + " s of " + s.expected_s.toFixed(0) + " s");
        set("live-rps", s.rps.toFixed(0) + " req/s");
        set("live-p50", ms(s.p50_us));
        set("live-p99", ms(s.p99_us));
        set("live-total", String(s.total_requests));
        set("live-errors", String(s.total_errors));
        body.setAttribute("data-total", String(s.total_requests));
      })
      .catch(function () { set("live-state", "server unreachable"); });
  }
  poll();
  setInterval(poll, 1000);
})();
