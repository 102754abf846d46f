// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // A step behind a confirmation is a link to its confirmation page; htmx loads that page's form
  // into the modal dialog instead, and it opens here. Esc or Cancel closes it; focus returns to
  // the link (the browser does that for a modal dialog). It opens once htmx has settled the
  // swap: htmx focuses an `autofocus` element when it settles, and a dialog opened before that
  // would see its focus jump back to Cancel after the reader had moved it.
  document.addEventListener("htmx:afterSettle", function (event) {
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

  // "Select all" boxes (data-select-all="<name>") tick every box of that name in their form; they
  // show once this runs (without JavaScript the page offers a link instead), follow the boxes'
  // state, and a count of the ticked boxes (data-selected-count="<name>") follows too.
  function boxes(all) {
    return Array.prototype.slice.call(
      all.form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]')
    );
  }
  function syncSelection(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var list = boxes(all);
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.hidden = false;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
      all.form.querySelectorAll('[data-selected-count="' + all.dataset.selectAll + '"]').forEach(function (out) {
        out.textContent = ticked ? "(" + ticked + ")" : "";
      });
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.form) {
      return;
    }
    if (target.matches("input[data-select-all]")) {
      boxes(target).forEach(function (box) { box.checked = target.checked; });
    }
    syncSelection(target.form);
  });
  document.addEventListener("DOMContentLoaded", function () { syncSelection(document); });
  document.addEventListener("htmx:afterSettle", function (event) { syncSelection(event.detail.target); });

  // Escape closes an open menu (the navigation on a phone, the account menu) and puts the focus
  // back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.navmenu[open], details.usermenu[open], .navgroup > details[open]").forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary.offsetParent !== null) {
        summary.focus();
      }
    });
  });
  // A menu of the header row closes when another opens or a click lands outside it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".navgroup > details[open], details.usermenu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
})();
