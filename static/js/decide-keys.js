// Keyboard-friendly decide-and-next: in a form marked data-decide-keys, 1/2/3 choose the outcome
// (and move to the reason); in data-score-keys, 1-5 score the focused criterion and move on.
// Keys typed into a text field are left alone.
(function () {
  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && target.type !== "radio"));
  }
  var decide = document.querySelector("form[data-decide-keys]");
  var score = document.querySelector("form[data-score-keys]");
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (decide && "123".indexOf(event.key) >= 0) {
      var radios = decide.querySelectorAll("input[name=outcome]");
      var radio = radios[Number(event.key) - 1];
      if (radio) {
        radio.checked = true;
        var reason = decide.querySelector("select[name=reason]");
        if (reason) reason.focus();
        event.preventDefault();
      }
    }
    if (score && "12345".indexOf(event.key) >= 0) {
      var inputs = Array.prototype.slice.call(score.querySelectorAll("input.score"));
      var names = [];
      inputs.forEach(function (input) { if (names.indexOf(input.name) < 0) names.push(input.name); });
      var current = event.target && event.target.name && names.indexOf(event.target.name) >= 0 ? event.target.name : null;
      var name = current || names.find(function (n) { return !score.querySelector("input[name=" + n + "]:checked"); });
      if (!name) return;
      var choice = score.querySelector("input[name=" + name + "][value='" + event.key + "']");
      if (choice) {
        choice.checked = true;
        var next = names[names.indexOf(name) + 1];
        var target = next ? score.querySelector("input[name=" + next + "]") : score.querySelector("button[type=submit]");
        if (target) target.focus();
        event.preventDefault();
      }
    }
  });
})();
