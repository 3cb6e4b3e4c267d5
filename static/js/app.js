/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  const body = document.body;
  const banner = document.getElementById("offline-banner");

  function showOffline(text) {
    if (!banner) return;
    banner.textContent = text;
    banner.hidden = false;
  }

  // A week served by the service worker while offline: say so, and when it is from.
  const snapshot = body.getAttribute("data-offline-snapshot");
  if (snapshot !== null) {
    const when = snapshot ? new Date(snapshot).toLocaleString() : "an earlier visit";
    showOffline("You are offline. This is your week as of " + when +
                "; export statuses may have changed since and are marked “last known”.");
    document.querySelectorAll("[hx-trigger]").forEach((el) => el.removeAttribute("hx-trigger"));
  }
  window.addEventListener("offline", () => {
    body.setAttribute("data-offline-snapshot", new Date().toUTCString());
    showOffline("You are offline: statuses shown are the last known ones and will refresh when you are back online.");
  });
  window.addEventListener("online", () => window.location.reload());

  // Athletes can install the week as an app; logging in or out forgets the saved week.
  if ("serviceWorker" in navigator) {
    if (body.dataset.role === "athlete") {
      navigator.serviceWorker.register("/sw.js").catch(() => {});
    }
    if (!body.dataset.role && window.caches) {
      caches.delete("hybridpeaks-pages-v1");
    }
  }
})();
