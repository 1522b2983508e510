// Turns every <select data-autocomplete-url> into a search box that asks the server for
// matches (cases.views.autocomplete); only chosen options are ever in the page.
(function () {
  "use strict";
  function setUp(select) {
    var url = select.dataset.autocompleteUrl;
    var tomSelect = new TomSelect(select, {
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
        var separator = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + separator + "q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
    });
    // Tom Select moves the <label> to its search box, the field people use. The original select
    // stays in the page only to be submitted: hide it from assistive technology, or it is read
    // out as a second, unnamed field; and give the help text to the search box instead.
    select.setAttribute("aria-hidden", "true");
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) {
      tomSelect.control_input.setAttribute("aria-describedby", describedBy);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autocomplete-url]").forEach(setUp);
  });
})();
