// The LKM progress form on the work page, made for a phone on a weak connection:
// - photos are made smaller in the browser (canvas) before upload, keeping their EXIF place and time;
//   where that cannot be done the original file is sent (the server accepts and re-encodes it);
// - what is typed is kept on this device (localStorage) until the server says it is saved, so an
//   expired session, an aged form or a lost signal never loses it: log in again and it is restored;
// - a refusal is shown on the form, at its field, with everything typed (and picked) still there.
// No inline handlers (the site's CSP): all texts come from the form's data-msg-* attributes.
(function () {
  "use strict";
  var MAX_SIDE = 2048, QUALITY = 0.85, KEEP_BYTES = 1536 * 1024;
  var FIELDS = ["record_date", "fisik_pct", "volume_done", "spent_idr", "note", "corrects", "idempotency_key"];
  var TYPED = ["fisik_pct", "volume_done", "spent_idr", "note", "corrects"];
  var form = document.getElementById("record-form");
  if (!form) { return; }
  var status = document.getElementById("form-status");
  var button = form.querySelector("button[type=submit]");
  var photos = form.querySelector("input[name=photos]");
  var key = form.dataset.draftKey;
  var msg = form.dataset;
  var busy = false;

  function store() {
    try { return window.localStorage; } catch (e) { return null; }  // private mode, storage switched off
  }
  function readDraft() {
    try { return JSON.parse((store() && store().getItem(key)) || "null"); } catch (e) { return null; }
  }
  function saveDraft() {
    var draft = {saved_at: Date.now(), photos: photos && photos.files ? photos.files.length : 0};
    FIELDS.forEach(function (name) { draft[name] = form.elements[name].value; });
    try { if (store()) { store().setItem(key, JSON.stringify(draft)); } } catch (e) { /* full: nothing kept */ }
  }
  function clearDraft() {
    try { if (store()) { store().removeItem(key); } } catch (e) { /* nothing to clear */ }
  }
  function meaningful(draft) {
    return !!draft && (draft.photos > 0 || TYPED.some(function (name) { return (draft[name] || "") !== ""; }));
  }

  function say(kind, lines, link) {  // kind: error, info or busy
    status.hidden = false;
    status.className = "form-status " + (kind === "error" ? "error-box" : "info-box");
    status.setAttribute("role", kind === "error" ? "alert" : "status");
    status.textContent = "";
    lines.forEach(function (text) {
      if (!text) { return; }
      var p = document.createElement("p");
      p.textContent = text;
      status.appendChild(p);
    });
    if (link) { status.appendChild(link); }
    if (kind === "error") { status.scrollIntoView({block: "center"}); }
  }
  function clearFieldErrors() {
    form.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
  }
  function fieldError(name, text) {
    var input = form.elements[name];
    if (!input) { return false; }
    var span = document.createElement("span");
    span.className = "field-error";
    span.id = "error-" + name;
    span.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", span.id);
    input.closest("label").appendChild(span);
    input.focus({preventScroll: true});
    return true;
  }

  // --- photos: smaller in the browser, EXIF (place, time) carried over, orientation already applied ----
  function exifSegment(bytes) {  // the APP1 "Exif" segment of a JPEG, or null
    if (bytes[0] !== 0xFF || bytes[1] !== 0xD8) { return null; }
    var at = 2;
    while (at + 4 <= bytes.length && bytes[at] === 0xFF) {
      var marker = bytes[at + 1], size = (bytes[at + 2] << 8) | bytes[at + 3];
      if (marker === 0xDA) { return null; }  // start of scan: no EXIF before the picture
      if (marker === 0xE1 && bytes[at + 4] === 0x45 && bytes[at + 5] === 0x78 && bytes[at + 6] === 0x69 &&
          bytes[at + 7] === 0x66 && at + 2 + size <= bytes.length) {
        return uprightExif(bytes.slice(at, at + 2 + size));
      }
      at += 2 + size;
    }
    return null;
  }
  function uprightExif(seg) {  // orientation tag set to 1: the canvas already drew the photo upright
    try {
      var view = new DataView(seg.buffer, seg.byteOffset, seg.byteLength), tiff = 10;
      var little = view.getUint16(tiff) === 0x4949;
      var ifd = tiff + view.getUint32(tiff + 4, little), count = view.getUint16(ifd, little);
      for (var i = 0; i < count; i++) {
        var entry = ifd + 2 + 12 * i;
        if (view.getUint16(entry, little) === 0x0112) { view.setUint16(entry + 8, 1, little); }
      }
    } catch (e) { return null; }  // malformed EXIF: the server reads "no GPS", as it would anyway
    return seg;
  }
  function withExif(blob, seg) {
    if (!seg) { return Promise.resolve(blob); }
    return blob.arrayBuffer().then(function (buf) {
      var jpeg = new Uint8Array(buf);  // SOI, then the original's EXIF, then the rest (from JFIF on)
      return new Blob([jpeg.slice(0, 2), seg, jpeg.slice(2)], {type: "image/jpeg"});
    });
  }
  function shrink(file) {
    var keep = {blob: file, name: file.name};
    if (!/^image\/(jpeg|png)$/.test(file.type) || !window.createImageBitmap) { return Promise.resolve(keep); }
    var head = file.slice(0, 256 * 1024).arrayBuffer();
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= KEEP_BYTES) { return keep; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var ctx = canvas.getContext && canvas.getContext("2d");
      if (!ctx || !canvas.toBlob) { return keep; }
      ctx.fillStyle = "#fff";  // a transparent PNG becomes white, not black
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob); }, "image/jpeg", QUALITY);
      }).then(function (blob) {
        if (!blob || blob.size >= file.size) { return keep; }
        return head.then(function (buf) {
          var seg = file.type === "image/jpeg" ? exifSegment(new Uint8Array(buf)) : null;
          return withExif(blob, seg);
        }).then(function (out) {
          return {blob: out, name: file.name.replace(/\.[A-Za-z0-9]+$/, "") + ".jpg"};
        });
      });
    }).catch(function () { return keep; });  // cannot decode here: the server names what is wrong
  }
  function shrinkAll() {
    var files = photos && photos.files ? Array.prototype.slice.call(photos.files) : [];
    return files.reduce(function (done, file) {  // one at a time: a phone has little memory
      return done.then(function (out) { return shrink(file).then(function (s) { out.push(s); return out; }); });
    }, Promise.resolve([]));
  }

  // --- sending -----------------------------------------------------------------------------------
  function loginLink() {
    var a = document.createElement("a");
    a.href = form.dataset.login;
    a.id = "relogin-link";
    a.className = "button-link";
    a.textContent = msg.msgRelogin;
    return a;
  }
  function answer(code, body) {
    if (code === 201 && body.location) {
      clearDraft();
      window.location.assign(body.location);
      return;
    }
    var picked = photos && photos.files && photos.files.length > 0;
    // the session ended (or the form aged) while the phone was away: a new login, then the same form again
    if (code === 401 || (code === 403 && body.error === "auth.csrf") || body.error === "body.login_first") {
      say("error", [msg.msgSessionExpired, picked ? msg.msgSessionExpiredPhotos : ""], loginLink());
      return;
    }
    if (body.idempotency_key) {  // the key was used for other content: the server gave this form a new one
      form.elements.idempotency_key.value = body.idempotency_key;
      saveDraft();
    }
    var detail = body.detail || String(code);
    if (body.field && fieldError(body.field, detail)) {
      say("error", [msg.msgFormError]);
    } else {
      say("error", [msg.msgFormError, detail]);
    }
  }
  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.FormData || !window.Promise) { return; }  // the plain form post
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    button.disabled = true;
    saveDraft();
    clearFieldErrors();
    var picked = photos && photos.files && photos.files.length > 0;
    say("busy", [picked ? msg.msgShrinking : msg.msgSending]);
    shrinkAll().then(function (shrunk) {
      var data = new FormData(form);
      data.delete("photos");
      shrunk.forEach(function (s) { data.append("photos", s.blob, s.name); });
      say("busy", [msg.msgSending]);
      return fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                                 headers: {"Accept": "application/json"}});
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        answer(response.status, body);
      });
    }, function () {
      say("error", [msg.msgOffline]);
    }).then(function () {
      busy = false;
      button.disabled = false;
    });
  });

  // --- keeping and restoring what was typed ------------------------------------------------------
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  if (document.getElementById("saved-flash")) {
    clearDraft();  // the server said "tersimpan": nothing is waiting any more
  } else if (status.hidden) {  // a form the server answered with an error shows what it was sent instead
    var draft = readDraft();
    if (meaningful(draft)) {
      FIELDS.forEach(function (name) {
        if (draft[name] !== undefined && form.elements[name]) { form.elements[name].value = draft[name]; }
      });
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link";
      discard.id = "draft-discard";
      discard.textContent = msg.msgDraftDiscard;
      discard.addEventListener("click", function () { clearDraft(); window.location.reload(); });
      say("info", [msg.msgDraftRestored, draft.photos > 0 ? msg.msgDraftRestoredPhotos : ""], discard);
      status.id = "form-status";
      status.setAttribute("data-restored", "1");
    }
  }
})();
