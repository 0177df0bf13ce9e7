// YASGUI on this service's SPARQL endpoint. Nothing leaves the service: the endpoint list holds
// only our endpoint, and the class/property autocompleters (which ask Linked Open Vocabularies
// on the web) are switched off; prefix completion uses the project's prefixes, served locally.
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var cfgEl = document.getElementById("query-config");
  if (!root || !cfgEl || typeof Yasgui === "undefined") return;
  var cfg = JSON.parse(cfgEl.textContent);
  var endpoint = new URL(cfg.endpoint, window.location.href).href;

  // Yasgui deep-merges its configuration into its defaults (arrays element by element), so
  // the lists are replaced on the defaults themselves, before the editor is built.
  var local = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.autocompleters = local.slice();
  Yasgui.defaults.yasqe.autocompleters = local.slice();
  Yasgui.Yasqe.defaults.prefixCcApi = new URL(cfg.prefixesUrl, window.location.href).href;
  Yasgui.defaults.yasqe.prefixCcApi = Yasgui.Yasqe.defaults.prefixCcApi;
  Yasgui.defaults.yasqe.value = cfg.defaultQuery;
  Yasgui.defaults.yasqe.collapsePrefixesOnLoad = true;
  Yasgui.defaults.yasqe.editorHeight = "320px";
  Yasgui.Yasqe.defaults.value = cfg.defaultQuery;
  Yasgui.defaults.requestConfig.endpoint = endpoint;
  Yasgui.defaults.requestConfig.method = "POST";
  Yasgui.defaults.endpointCatalogueOptions.getData = function () {
    return [{ endpoint: endpoint }];
  };
  Yasgui.defaults.yasr.prefixes = cfg.prefixes;

  var yasgui = new Yasgui(root, {
    persistenceId: "rightsgraph-query",
    copyEndpointOnNewTab: true,
    populateFromUrl: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
  });
  // Tabs kept from an earlier visit may name another endpoint: bring them back to ours.
  Object.keys(yasgui._tabs || {}).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  });

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = cfg.examples[Number(button.dataset.example)];
      var tab = yasgui.addTab(true, {
        name: example.name,
        yasqe: { value: example.text },
        requestConfig: { endpoint: endpoint, method: "POST" },
      });
      if (tab && tab.getYasqe && tab.getYasqe()) tab.getYasqe().setValue(example.text);
      root.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
  // A capped answer says so: the endpoint sets a header when it stopped at its row cap. YASGUI
  // does not hand its responses to page code, so the page watches its own calls to the endpoint.
  var notice = document.getElementById("capped-notice");
  var cappedName = cfg.cappedHeader.toLowerCase();
  var pageFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    return pageFetch(input, init).then(function (response) {
      var url = typeof input === "string" ? input : input && input.url;
      if (notice && url && url.indexOf(endpoint) === 0) {
        var capped = response.headers.get(cappedName) === "true";
        notice.textContent = capped ? cfg.cappedText : "";
        notice.hidden = !capped;
      }
      return response;
    });
  };
  window.rightsgraphYasgui = yasgui;
})();
