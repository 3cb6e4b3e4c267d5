/* HybridPeaks service worker: the athlete's week opens offline, and says so.
 *
 * - The shell (CSS, scripts, icons) is cached at install and served from the cache.
 * - The week page is network-first; the last one seen is kept.  Offline, that copy is
 *   served marked with data-offline-snapshot, so the page shows an offline banner and
 *   labels every badge "last known": a stale status is never shown as current.
 * - Nothing else is cached (no API responses, no badge fragments).
 */
const SHELL = "hybridpeaks-shell-v1";
const PAGES = "hybridpeaks-pages-v1";
const ASSETS = ["/static/css/app.css", "/static/js/htmx.min.js", "/static/js/app.js",
                "/static/manifest.webmanifest", "/static/icons/icon-192.png", "/static/icons/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== PAGES).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate" && url.pathname === "/week") {
    event.respondWith(weekPage(request));
  }
});

async function weekPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put("/week", copy));
    }
    return response;
  } catch (error) {
    const cached = await caches.match("/week", { cacheName: PAGES });
    if (!cached) {
      return new Response("<!doctype html><title>Offline</title><p>You are offline, and no week was saved on this device yet.</p>",
                          { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    const seen = cached.headers.get("Date") || "";
    const html = (await cached.text()).replace("<body", `<body data-offline-snapshot="${seen}"`);
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}
