// The home page map: territories as circle markers over OpenStreetMap tiles when they load,
// and over a land outline shipped with the page when they do not (offline), so the points are
// always readable. Labels are user data: popups are built with textContent, never innerHTML.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") return;
  var data = JSON.parse(dataEl.textContent);

  var map = L.map(el, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([20, 10], 2);
  map.attributionControl.setPrefix(false);

  // The land outline sits under the tiles (tile pane: z-index 200): visible only without tiles.
  map.createPane("land");
  map.getPane("land").style.zIndex = 150;
  map.getPane("land").style.pointerEvents = "none";
  fetch(el.dataset.land)
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (land) {
      if (!land) return;
      L.geoJSON(land, {
        pane: "land",
        interactive: false,
        style: { color: "#9fb3c8", weight: 0.8, fillColor: "#e6edf3", fillOpacity: 1 },
      }).addTo(map);
    })
    .catch(function () { /* the points still show on the plain background */ });

  // Tiles when online. A failed tile is hidden (no broken-image icon) and, after a few
  // failures, a note says the map is showing the outline only.
  var failures = 0;
  var loaded = 0;
  var note = document.getElementById("map-offline");
  var tiles = L.tileLayer(el.dataset.tiles, {
    maxZoom: 18,
    attribution: el.dataset.attribution,
  });
  tiles.on("tileerror", function (e) {
    failures += 1;
    if (e.tile) e.tile.style.visibility = "hidden";
    if (failures >= 2 && loaded === 0 && note) {
      note.hidden = false;
      el.classList.add("offline");
    }
  });
  tiles.on("tileload", function () {
    loaded += 1;
    if (note) note.hidden = true;
    el.classList.remove("offline");
  });
  tiles.addTo(map);

  function popup(p) {
    var box = document.createElement("div");
    box.className = "popup";
    var title = document.createElement(p.url ? "a" : "strong");
    if (p.url) title.href = p.url;
    title.textContent = p.label;
    box.appendChild(title);
    if (p.example) {
      var badge = document.createElement("span");
      badge.className = "badge example";
      badge.textContent = data.labels.example;
      box.appendChild(document.createTextNode(" "));
      box.appendChild(badge);
    }
    var meta = document.createElement("div");
    meta.className = "muted";
    meta.textContent = [p.country, p.statusLabel, data.labels.initiatives + ": " + p.initiatives]
      .filter(Boolean).join(" · ");
    box.appendChild(meta);
    return box;
  }

  var markers = [];
  data.points.forEach(function (p) {
    var colour = data.colours[p.status] || data.colours[""];
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 6,
      color: "#ffffff",
      weight: 1.5,
      fillColor: colour,
      fillOpacity: 0.9,
      className: "territory-marker",
    });
    marker.bindPopup(function () { return popup(p); });
    // Leaflet would read a string as HTML: the label goes in as text.
    var tip = document.createElement("span");
    tip.textContent = p.label;
    marker.bindTooltip(tip, { direction: "top", offset: [0, -6] });
    marker.addTo(map);
    markers.push(marker);
  });
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.15), { maxZoom: 6 });
  }
  el.dataset.markers = String(markers.length);
})();
