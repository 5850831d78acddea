// The join page's "กำลังบันทึก" sign: shown while the meeting's room records (asked every few seconds).
(function () {
  "use strict";
  var sign = document.getElementById("recording-sign");
  if (!sign) return;
  var every = 5000;
  function ask() {
    fetch(sign.dataset.url, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) {
          sign.hidden = !data.recording;
          document.body.dataset.recording = data.recording ? "1" : "0";
          if (data.refresh_seconds) every = data.refresh_seconds * 1000;
        }
      })
      .catch(function () {})
      .then(function () { setTimeout(ask, every); });
  }
  ask();
})();
