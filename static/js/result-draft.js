// Offline-safe drafts for the result entry form (progressive enhancement: the form works
// without this script). What is typed is kept in localStorage, keyed per inspection and
// matter, until the server confirms it has it: every save sends a random token
// (client_token); the page the server returns names the last token it stored
// (data-confirmed-token). A local draft whose token the server confirmed is dropped; any
// other is restored on reload, so an entry typed on a weak connection is not lost.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = form.dataset.draftKey;
  var confirmed = form.dataset.confirmedToken || "";
  var bound = form.dataset.bound === "1";
  var state = document.getElementById("draft-state");
  var tokenField = form.querySelector("input[name=client_token]");
  var storage;
  try {
    storage = window.localStorage;
    storage.setItem(key + ":probe", "1");
    storage.removeItem(key + ":probe");
  } catch (error) {
    return; // no local storage (private mode, disabled): the form still works
  }

  function newToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function time(value) {
    var date = new Date(value);
    var pad = function (n) { return ("0" + n).slice(-2); };
    return (date.getMonth() + 1) + "月" + date.getDate() + "日 " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function show(kind, text, action) {
    state.hidden = false;
    state.dataset.state = kind;
    state.textContent = text;
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      state.appendChild(button);
    }
  }

  function fields() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || element.disabled || name === "csrfmiddlewaretoken" || name === "client_token") return;
      if (element.type === "file" || element.type === "submit" || element.type === "button") return;
      if (element.type === "checkbox" || element.type === "radio") {
        if (!(name in values)) values[name] = [];
        if (element.checked) values[name].push(element.value);
      } else {
        values[name] = element.value;
      }
    });
    return values;
  }

  function restore(values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || !(name in values) || element.type === "file") return;
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values[name].indexOf(element.value) !== -1;
      } else {
        element.value = values[name];
      }
    });
  }

  function read() {
    try {
      return JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  var draft = read();
  var token = draft && draft.token !== confirmed ? draft.token : newToken();
  tokenField.value = token;

  function keep() {
    var saved = { token: token, base: confirmed, savedAt: Date.now(), fields: fields() };
    try {
      storage.setItem(key, JSON.stringify(saved));
    } catch (error) {
      show("offline", "本机存储空间不足，草稿未能保存在本机，请尽快联网保存。");
      return null;
    }
    return saved;
  }

  function discard() {
    storage.removeItem(key);
    token = newToken();
    tokenField.value = token;
    show("saved", "已放弃本机草稿。");
  }

  if (draft && draft.token === confirmed) {
    storage.removeItem(key); // the server has it
    show("saved", "草稿已保存到服务器。");
  } else if (draft && bound) {
    show("local", "本次提交未保存，请按提示修改后重新提交；填写的内容仍保存在本机（" + time(draft.savedAt) + "）。");
  } else if (draft && draft.base !== confirmed) {
    // The server's draft changed since this local one was started (saved elsewhere).
    show("restored", "本机有一份 " + time(draft.savedAt) + " 的草稿，服务器上的草稿已更新。", {
      label: "改用本机草稿",
      run: function () {
        restore(draft.fields);
        show("restored", "已恢复本机草稿（" + time(draft.savedAt) + "），尚未保存到服务器。", { label: "放弃本机草稿", run: discard });
      },
    });
  } else if (draft) {
    restore(draft.fields);
    show("restored", "已恢复本机草稿（" + time(draft.savedAt) + "），尚未保存到服务器。", { label: "放弃本机草稿", run: discard });
  }

  var pending = null;
  function changed() {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      var saved = keep();
      if (saved) show("local", "已在本机保存草稿（" + time(saved.savedAt) + "），尚未上传到服务器。");
    }, 300);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.form !== form) return;
    window.clearTimeout(pending);
    var saved = keep();
    if (!navigator.onLine) {
      event.preventDefault();
      show("offline", "当前没有网络连接。填写的内容已保存在本机（" + (saved ? time(saved.savedAt) : "") + "），恢复网络后请再次保存或提交。");
      return;
    }
    show("local", "正在保存到服务器…… 在服务器确认前，填写的内容一直保存在本机。");
  });

  window.addEventListener("offline", function () {
    keep();
    show("offline", "网络已断开。填写的内容保存在本机，恢复网络后请保存或提交。");
  });
  window.addEventListener("online", function () {
    show("local", "网络已恢复，请点击“保存草稿”或“提交结果”上传到服务器。");
  });
})();
