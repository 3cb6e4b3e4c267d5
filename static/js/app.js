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

  // Nothing moves under a pressed pointer.  A click is a press and a release on the same
  // element, some 100 ms apart for a person.  The editor's fit panel grows when the workout
  // becomes complete, which is usually on the blur of the last field typed, i.e. at the press
  // on "Save session": swapped then, it pushes Save from under the pointer before the release
  // and the save is silently lost.  A live week or overview swapped during a press on Retry
  // loses that click the same way.  So an HTMX swap that arrives during a press waits for the
  // release (and for the click it completes), then lands as it would have.
  let pressed = false;
  let held = [];
  function release() {
    if (!pressed) return;
    pressed = false;
    setTimeout(() => {  // after the click that the release completes
      const waiting = held;
      held = [];
      waiting.forEach((swap) => {
        if (swap.target.isConnected) htmx.swap(swap.target, swap.content, swap.spec, swap.options);
      });
    }, 0);
  }
  document.addEventListener("pointerdown", () => { pressed = true; }, true);
  document.addEventListener("pointerup", release, true);
  document.addEventListener("pointercancel", release, true);
  window.addEventListener("blur", release);
  if (window.htmx) {
    // A live page asks nothing while its tab is hidden.  (Not HTMX's trigger filter
    // "[!document.hidden]": filters need eval, which the Content-Security-Policy forbids.)
    body.addEventListener("htmx:beforeRequest", (event) => {
      if (document.hidden && event.detail.elt.hasAttribute("data-poll")) event.preventDefault();
    });
    body.addEventListener("htmx:beforeSwap", (event) => {
      const detail = event.detail;
      if (!pressed || !detail.shouldSwap) return;
      detail.shouldSwap = false;
      // Our hx- elements carry their own hx-swap and hx-select (the editor's form disinherits
      // them), so the requesting element's attributes are the whole swap.
      const elt = detail.requestConfig.elt;
      const style = detail.swapOverride || elt.getAttribute("hx-swap") || htmx.config.defaultSwapStyle;
      held = held.filter((swap) => swap.target !== detail.target);  // the newest answer wins
      held.push({
        target: detail.target,
        content: detail.serverResponse,
        spec: {swapStyle: style.split(/\s+/)[0]},
        options: {select: detail.selectOverride || elt.getAttribute("hx-select") || undefined, contextElement: elt},
      });
    });
  }

  // Behaviour the pages ask for by attribute (the Content-Security-Policy runs no inline
  // handler): confirm before a destructive form is sent, submit a form when its select
  // changes (a button does it without JavaScript), select a read-only address on focus.
  document.addEventListener("submit", (event) => {
    const question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
  document.documentElement.classList.add("js");  // buttons only a page without script needs hide
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-submit-on-change]") && event.target.form) event.target.form.requestSubmit();
    // A choice that reshapes the editor's form (a session type; a sport of another family:
    // endurance, strength, multisport) presses its refresh button.  A sport of the same family
    // does not: the form stays as typed and only the live panel follows.
    const chosen = event.target;
    const button = chosen.matches("[data-click-on-change]") &&
      document.getElementById(chosen.getAttribute("data-click-on-change"));
    const option = chosen.selectedOptions && chosen.selectedOptions[0];
    const sameFamily = chosen.hasAttribute("data-family") && option &&
      option.getAttribute("data-family") === chosen.getAttribute("data-family");
    if (button && !sameFamily) button.click();
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

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
