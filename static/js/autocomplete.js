// Turns every <select data-autocomplete-url> into a search box that asks the server for
// matches (cases.views.autocomplete); only chosen options are ever in the page.
(function () {
  "use strict";
  function setUp(select) {
    var url = select.dataset.autocompleteUrl;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: 20,
      loadThrottle: 250,
      plugins: select.multiple ? ["remove_button"] : [],
      // Start the next search afresh after each pick (attendance lists are picked one by one).
      onItemAdd: function () {
        this.setTextboxValue("");
        this.refreshOptions(false);
      },
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autocomplete-url]").forEach(setUp);
  });
})();
