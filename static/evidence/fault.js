// The join page's "แจ้งปัญหา": sends the form to the portal and shows its answer (in Thai) without leaving the call.
(function () {
  "use strict";
  var form = document.getElementById("fault-form");
  if (!form) return;
  var answer = document.getElementById("fault-answer");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        answer.textContent = data.message;
        answer.className = "fault-answer " + (data.ok ? "ok" : "bad");
        if (data.ok) form.reset();
      })
      .catch(function () {
        answer.textContent = "ส่งไม่สำเร็จ: ตรวจการเชื่อมต่อแล้วลองอีกครั้ง หรือโทรแจ้งจังหวัด";
        answer.className = "fault-answer bad";
      })
      .then(function () { button.disabled = false; });
  });
})();
