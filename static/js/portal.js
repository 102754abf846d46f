// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // A step behind a confirmation is a link to its confirmation page; htmx loads that page's form
  // into the modal dialog instead, and it opens here. Esc or Cancel closes it; focus returns to
  // the link (the browser does that for a modal dialog).
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target && event.detail.target.closest("dialog");
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  });
  document.addEventListener(
    "close",
    function (event) {
      if (event.target.id === "confirm-dialog") {
        document.getElementById("confirm-dialog-body").replaceChildren();
      }
    },
    true
  );

  // Escape closes an open menu (the navigation on a phone, the account menu) and puts the focus
  // back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.navmenu[open], details.usermenu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
