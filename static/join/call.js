/* prachum join page: a site in a Janus VideoRoom (janus.js from Debian's libjs-janus-gateway).
 *
 * Flow: device check (camera preview + microphone level) -> join as a publisher with the site's display name ->
 * subscribe to every other site's feed -> mute / camera / screen-share toggles; the host site's page can ask the
 * portal to mute or remove a site (the portal holds the room's secret, never this page).
 * Test mode: the same, plus a subscription to the site's own feed through the server, so the clerk sees and hears
 * themselves; the page reports to the portal when its own video comes back ("media flowing").
 *
 * No inline script: the configuration comes from <script type="application/json" id="call-config">.
 * For tests and support, window.prachumCall holds the state (joined, feeds and their decoded frame counts).
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("call-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = { phase: "precheck", joined: false, myId: null, privateId: null, feeds: {}, errors: [],
                kicked: false, selfFrames: 0, reported: false };
  window.prachumCall = state;

  var janus = null;
  var publisher = null;
  var localStream = null;
  var cameraTrack = null;
  var screenTrack = null;
  var audioContext = null;
  var subscribers = {};

  function say(text, kind) {
    var box = $("status");
    box.textContent = text;
    box.className = "status " + (kind || "");
  }

  function fail(text, detail) {
    state.errors.push(text + (detail ? ": " + detail : ""));
    say(text, "bad");
    document.body.dataset.callState = "error";
  }

  function siteName(display) {
    var parts = String(display || "").split(" · ");
    return parts.length > 1 ? parts.slice(1).join(" · ") : String(display || "");
  }

  function setPhase(phase) {
    state.phase = phase;
    document.body.dataset.callState = phase;
  }

  // --- 1. device check -------------------------------------------------------------------------------------

  function stopStream(stream) {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
  }

  function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [["videoinput", $("camera-select")], ["audioinput", $("mic-select")]].forEach(function (pair) {
        var select = pair[1];
        if (!select) return;
        var current = select.value;
        select.innerHTML = "";
        devices.filter(function (d) { return d.kind === pair[0]; }).forEach(function (d, i) {
          var option = document.createElement("option");
          option.value = d.deviceId;
          option.textContent = d.label || (pair[0] === "videoinput" ? "กล้อง " : "ไมโครโฟน ") + (i + 1);
          select.appendChild(option);
        });
        if (current) select.value = current;
      });
    });
  }

  function watchLevel(stream) {
    var meter = $("mic-level");
    var track = stream.getAudioTracks()[0];
    if (!meter || !track || !(window.AudioContext || window.webkitAudioContext)) return;
    try {
      if (!audioContext) audioContext = new (window.AudioContext || window.webkitAudioContext)();
      var source = audioContext.createMediaStreamSource(new MediaStream([track]));
      var analyser = audioContext.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      var data = new Uint8Array(analyser.fftSize);
      var tick = function () {
        analyser.getByteTimeDomainData(data);
        var peak = 0;
        for (var i = 0; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i] - 128) / 128);
        meter.value = peak;
        state.micLevel = peak;
        if (track.readyState === "live") window.requestAnimationFrame(tick);
      };
      tick();
    } catch (e) { /* the level meter is a help, not a requirement */ }
  }

  function startPreview() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      fail("เบราว์เซอร์นี้ใช้กล้องไม่ได้: ใช้ Google Chrome, Microsoft Edge หรือ Firefox รุ่นใหม่ และเปิดผ่าน https");
      return Promise.reject(new Error("no getUserMedia"));
    }
    var camera = $("camera-select") && $("camera-select").value;
    var mic = $("mic-select") && $("mic-select").value;
    var constraints = {
      audio: mic ? { deviceId: { exact: mic } } : true,
      video: camera ? { deviceId: { exact: camera } } : { width: { ideal: 1280 }, height: { ideal: 720 } }
    };
    stopStream(localStream);
    say("กำลังเปิดกล้องและไมโครโฟน…");
    return navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      localStream = stream;
      cameraTrack = stream.getVideoTracks()[0] || null;
      $("preview").srcObject = stream;
      watchLevel(stream);
      $("join-button").disabled = false;
      // The button's own words: "เริ่มทดสอบ" on a test call, "เข้าร่วมประชุม" on a meeting.
      say("เห็นภาพตนเองและแถบเสียงขยับเมื่อพูด? ถ้าใช่ กดปุ่ม “" + $("join-button").textContent.trim() + "”", "ok");
      return fillDevices();
    }).catch(function (error) {
      var text = error && error.name === "NotAllowedError"
        ? "เบราว์เซอร์ไม่ได้รับอนุญาตให้ใช้กล้อง/ไมโครโฟน: กดรูปกล้องที่แถบที่อยู่แล้วเลือก “อนุญาต”"
        : "เปิดกล้องหรือไมโครโฟนไม่ได้: ตรวจว่าเสียบอุปกรณ์แล้ว และไม่มีโปรแกรมอื่นใช้อยู่";
      fail(text, error && error.message);
      $("join-button").disabled = false;  // still allow joining to watch and listen
    });
  }

  // --- 2. the room -----------------------------------------------------------------------------------------

  function tile(id, display, local) {
    var key = local ? "local" : String(id);
    var existing = document.querySelector('[data-feed="' + key + '"]');
    if (existing) return existing;
    var box = document.createElement("figure");
    box.className = "tile" + (local ? " local" : " remote");
    box.dataset.feed = key;
    box.dataset.display = display || "";
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.setAttribute("playsinline", "");
    if (local) video.muted = true;
    var caption = document.createElement("figcaption");
    caption.textContent = local ? "ภาพของท่าน (" + config.site + ")" : siteName(display);
    box.appendChild(video);
    box.appendChild(caption);
    if (!local && config.moderator && config.moderateUrl && id !== "self") {
      var tools = document.createElement("div");
      tools.className = "moderate";
      [["mute", "ปิดเสียง"], ["kick", "นำออก"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "small " + pair[0];
        button.textContent = pair[1];
        button.addEventListener("click", function () { moderate(id, display, pair[0]); });
        tools.appendChild(button);
      });
      box.appendChild(tools);
    }
    $("videos").appendChild(box);
    return box;
  }

  function countFrames(key, video) {
    var feed = state.feeds[key] || (state.feeds[key] = { frames: 0, width: 0, height: 0 });
    if (video.requestVideoFrameCallback) {
      var onFrame = function () {
        feed.frames += 1;
        feed.width = video.videoWidth;
        feed.height = video.videoHeight;
        video.parentNode && (video.parentNode.dataset.frames = feed.frames);
        afterFrames();
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      setInterval(function () {
        feed.width = video.videoWidth;
        feed.height = video.videoHeight;
        if (video.videoWidth > 0 && !video.paused) feed.frames += 1;
        afterFrames();
      }, 200);
    }
  }

  function afterFrames() {
    var receiving = Object.keys(state.feeds).filter(function (k) {
      return k !== "local" && state.feeds[k].frames > 5 && state.feeds[k].width > 0;
    });
    document.body.dataset.remoteVideos = String(receiving.length);
    if (config.mode === "test" && state.feeds.self && state.feeds.self.frames > 30 && !state.reported) {
      state.reported = true;
      report({ media_flowing: "1" });
      say("ระบบรับภาพของท่านกลับจากเซิร์ฟเวอร์ได้แล้ว: ท่านเห็นภาพและได้ยินเสียงของตนเองหรือไม่?", "ok");
      $("test-result") && ($("test-result").hidden = false);
    }
  }

  function subscribe(feedId, display, self) {
    if (subscribers[feedId]) return;
    subscribers[feedId] = "pending";
    var key = self ? "self" : String(feedId);
    var remote = null;
    var stream = new MediaStream();
    janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: "prachum-sub-" + Janus.randomString(8),
      success: function (handle) {
        remote = handle;
        subscribers[feedId] = handle;
        var join = { request: "join", room: config.room, ptype: "subscriber", streams: [{ feed: feedId }],
                     private_id: state.privateId };
        if (config.pin) join.pin = config.pin;
        handle.send({ message: join });
      },
      error: function (error) { fail("รับภาพจาก " + siteName(display) + " ไม่ได้", String(error)); },
      onmessage: function (msg, jsep) {
        if (msg.error) { fail("รับภาพจาก " + siteName(display) + " ไม่ได้", msg.error); return; }
        if (jsep) {
          remote.createAnswer({
            jsep: jsep,
            tracks: [{ type: "data" }],
            success: function (answer) {
              remote.send({ message: { request: "start", room: config.room }, jsep: answer });
            },
            error: function (error) { fail("เชื่อมต่อภาพไม่สำเร็จ", String(error)); }
          });
        }
      },
      onremotetrack: function (track, mid, on) {
        var box = tile(self ? "self" : feedId, self ? "ภาพของท่านจากเซิร์ฟเวอร์" : display, false);
        if (self) box.querySelector("figcaption").textContent = "ภาพและเสียงของท่านที่ส่งกลับมาจากเซิร์ฟเวอร์";
        var video = box.querySelector("video");
        if (on) {
          stream.getTracks().filter(function (t) { return t.kind === track.kind; })
            .forEach(function (t) { stream.removeTrack(t); });
          stream.addTrack(track);
          if (video.srcObject !== stream) {
            video.srcObject = stream;
            countFrames(key, video);
          }
          var playing = video.play();
          if (playing && playing.catch) playing.catch(function () { showUnmute(); });
        }
      },
      oncleanup: function () {
        var box = document.querySelector('[data-feed="' + (self ? "self" : String(feedId)) + '"]');
        if (box) box.remove();
        delete state.feeds[key];
        delete subscribers[feedId];
        afterFrames();
      }
    });
  }

  function showUnmute() {
    var button = $("unmute-sound");
    if (button) button.hidden = false;
  }

  function unsubscribe(feedId) {
    var handle = subscribers[feedId];
    if (handle && handle !== "pending") handle.detach();
    delete subscribers[feedId];
    var box = document.querySelector('[data-feed="' + String(feedId) + '"]');
    if (box) box.remove();
    delete state.feeds[String(feedId)];
    afterFrames();
  }

  function publish() {
    var tracks = [];
    var audio = localStream && localStream.getAudioTracks()[0];
    // mids: audio "0", then video "1" — the portal's server-side mute moderates exactly these.
    tracks.push({ type: "audio", capture: audio || false, recv: false });
    tracks.push({ type: "video", capture: cameraTrack || false, recv: false });
    if (!audio && !cameraTrack) {
      say("เข้าร่วมแบบดูและฟังอย่างเดียว (ไม่มีกล้องและไมโครโฟน)", "warn");
      return;
    }
    publisher.createOffer({
      tracks: tracks.filter(function (t) { return t.capture; }),
      success: function (jsep) {
        publisher.send({ message: { request: "configure", audio: !!audio, video: !!cameraTrack }, jsep: jsep });
      },
      error: function (error) { fail("ส่งภาพและเสียงไม่สำเร็จ", String(error)); }
    });
  }

  function onPublisherMessage(msg, jsep) {
    var event = msg.videoroom;
    if (event === "joined") {
      state.myId = msg.id;
      state.privateId = msg.private_id;
      state.joined = true;
      setPhase("joined");
      say(config.mode === "test" ? "เข้าห้องทดสอบแล้ว: กำลังส่งภาพและเสียงไปยังเซิร์ฟเวอร์…" : "เข้าร่วมประชุมแล้ว", "ok");
      publish();
      (msg.publishers || []).forEach(function (p) { subscribe(p.id, p.display, false); });
    } else if (event === "event") {
      (msg.publishers || []).forEach(function (p) { subscribe(p.id, p.display, false); });
      if (msg.unpublished && msg.unpublished !== "ok") unsubscribe(msg.unpublished);
      if (msg.leaving && msg.leaving !== "ok") unsubscribe(msg.leaving);
      if (msg.leaving === "ok" && msg.reason === "kicked") {
        state.kicked = true;
        leave("ประธานการประชุมนำท่านออกจากห้องประชุมแล้ว: หากไม่ถูกต้อง โทรติดต่อจังหวัด");
      }
      if (msg.error) {
        var text = msg.error_code === 433 ? "รหัสห้องไม่ถูกต้อง: ขอลิงก์ใหม่จากหน้าของสถานที่" : msg.error;
        if (msg.error_code === 426) text = "ไม่พบห้องประชุมบนเซิร์ฟเวอร์: รอสักครู่แล้วโหลดหน้านี้ใหม่";
        fail(text);
      }
    } else if (event === "destroyed") {
      leave("ห้องประชุมปิดแล้ว");
    }
    if (jsep) publisher.handleRemoteJsep({ jsep: jsep });
  }

  function join() {
    $("join-button").disabled = true;
    if (config.kind !== "janus") {
      fail("เซิร์ฟเวอร์นี้เป็นแบบจำลอง (ทดลองใช้): ตรวจกล้องและไมโครโฟนได้ แต่ไม่มีการประชุมจริง");
      return;
    }
    if (typeof Janus === "undefined") {
      fail("โหลดโปรแกรมห้องประชุม (janus.js) ไม่ได้: แจ้งผู้ดูแลระบบ (ต้องติดตั้ง libjs-janus-gateway)");
      return;
    }
    setPhase("joining");
    say("กำลังเข้าห้องประชุม…");
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies(),
      callback: function () {
        janus = new Janus({
          server: config.server,
          token: config.token || undefined,  // token_auth: the one the portal added for this pass
          iceServers: config.iceServers || [],
          success: function () {
            janus.attach({
              plugin: "janus.plugin.videoroom",
              opaqueId: "prachum-pub-" + Janus.randomString(8),
              success: function (handle) {
                publisher = handle;
                var message = { request: "join", room: config.room, ptype: "publisher", display: config.display };
                if (config.pin) message.pin = config.pin;
                handle.send({ message: message });
              },
              error: function (error) { fail("เข้าห้องประชุมไม่สำเร็จ", String(error)); },
              iceState: function (iceState) { state.ice = iceState; if (iceState === "failed") fail("การเชื่อมต่อภาพและเสียงล้มเหลว: ตรวจเครือข่าย"); },
              webrtcState: function (up) {
                state.webrtcUp = up;
                // Test call: once our media reaches the server, take it back from the server as a subscriber.
                if (up && config.mode === "test" && state.myId) subscribe(state.myId, config.display, true);
              },
              onmessage: onPublisherMessage,
              onlocaltrack: function () {},
              oncleanup: function () {}
            });
          },
          error: function (error) {
            if (!state.left) fail("ติดต่อเซิร์ฟเวอร์ประชุมไม่ได้: ตรวจสายแลน/อินเทอร์เน็ต แล้วโหลดหน้านี้ใหม่", String(error));
          },
          destroyed: function () {}
        });
      }
    });
    $("precheck").hidden = true;
    $("room").hidden = false;
    var own = tile("local", config.display, true);
    own.querySelector("video").srcObject = localStream;
  }

  function leave(text) {
    state.left = true;
    setPhase("left");
    if (janus) { try { janus.destroy({ unload: false }); } catch (e) { /* already gone */ } }
    stopStream(localStream);
    if (screenTrack) screenTrack.stop();
    say(text || "ออกจากห้องประชุมแล้ว", "warn");
    $("room").hidden = true;
    $("left") && ($("left").hidden = false);
  }

  // --- 3. controls -----------------------------------------------------------------------------------------

  function toggleMic() {
    if (!publisher) return;
    var muted = publisher.isAudioMuted();
    if (muted) publisher.unmuteAudio(); else publisher.muteAudio();
    var button = $("mic-toggle");
    button.setAttribute("aria-pressed", String(!muted));
    button.textContent = muted ? "ปิดไมค์" : "เปิดไมค์";
  }

  function toggleCamera() {
    if (!publisher) return;
    var muted = publisher.isVideoMuted();
    if (muted) publisher.unmuteVideo(); else publisher.muteVideo();
    var button = $("camera-toggle");
    button.setAttribute("aria-pressed", String(!muted));
    button.textContent = muted ? "ปิดกล้อง" : "เปิดกล้อง";
  }

  function videoSender() {
    var pc = publisher && publisher.webrtcStuff && publisher.webrtcStuff.pc;
    if (!pc) return null;
    return pc.getSenders().filter(function (s) { return s.track && s.track.kind === "video"; })[0] || null;
  }

  function stopSharing() {
    var sender = videoSender();
    if (sender && cameraTrack) sender.replaceTrack(cameraTrack);
    if (screenTrack) screenTrack.stop();
    screenTrack = null;
    var own = document.querySelector('[data-feed="local"] video');
    if (own) own.srcObject = localStream;
    $("share-toggle").textContent = "นำเสนอหน้าจอ";
    $("share-toggle").setAttribute("aria-pressed", "false");
    say("หยุดนำเสนอแล้ว: ผู้อื่นเห็นภาพจากกล้องตามเดิม", "ok");
  }

  function toggleShare() {
    if (screenTrack) { stopSharing(); return; }
    var sender = videoSender();
    if (!sender) { fail("ต้องเปิดกล้องก่อนจึงจะนำเสนอหน้าจอได้"); return; }
    navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
      screenTrack = stream.getVideoTracks()[0];
      screenTrack.addEventListener("ended", stopSharing);
      return sender.replaceTrack(screenTrack).then(function () {
        var own = document.querySelector('[data-feed="local"] video');
        if (own) own.srcObject = stream;
        $("share-toggle").textContent = "หยุดนำเสนอ";
        $("share-toggle").setAttribute("aria-pressed", "true");
        say("กำลังนำเสนอหน้าจอ: ทุกสถานที่เห็นหน้าจอนี้ (เปิด PowerPoint รูปภาพ หรือคลิปได้เลย)", "ok");
      });
    }).catch(function (error) {
      if (error && error.name === "NotAllowedError") say("ยกเลิกการนำเสนอหน้าจอ", "warn");
      else fail("นำเสนอหน้าจอไม่ได้", error && error.message);
    });
  }

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": config.csrfToken, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: "HTTP " + response.status }; });
    });
  }

  function moderate(feedId, display, action) {
    var name = siteName(display);
    if (action === "kick" && !window.confirm("นำ " + name + " ออกจากห้องประชุม?")) return;
    post(config.moderateUrl, { participant: String(feedId), action: action }).then(function (answer) {
      if (answer.ok) say((action === "kick" ? "นำออกแล้ว: " : "ปิดเสียงแล้ว: ") + name, "ok");
      else fail(answer.error || "สั่งงานไม่สำเร็จ");
    }).catch(function (error) { fail("ติดต่อระบบไม่ได้", String(error)); });
  }

  function report(fields) {
    if (!config.resultUrl) return Promise.resolve(null);
    return post(config.resultUrl, fields).catch(function () { return null; });
  }

  // --- wiring ----------------------------------------------------------------------------------------------

  function ready() {
    document.body.dataset.callMode = config.mode;
    setPhase("precheck");
    $("join-button").addEventListener("click", join);
    $("camera-select") && $("camera-select").addEventListener("change", startPreview);
    $("mic-select") && $("mic-select").addEventListener("change", startPreview);
    $("mic-toggle").addEventListener("click", toggleMic);
    $("camera-toggle").addEventListener("click", toggleCamera);
    $("leave-button").addEventListener("click", function () { leave(); });
    $("unmute-sound") && $("unmute-sound").addEventListener("click", function () {
      document.querySelectorAll(".tile.remote video").forEach(function (v) { v.play(); });
      $("unmute-sound").hidden = true;
    });
    if (navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia) {
      $("share-toggle").addEventListener("click", toggleShare);
    } else {
      $("share-toggle").hidden = true;
      $("share-hint") && ($("share-hint").hidden = false);
    }
    window.addEventListener("pagehide", function () {
      if (janus && !state.left) { try { janus.destroy({ unload: true }); } catch (e) { /* leaving anyway */ } }
    });
    startPreview();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
