// The page's own script (no inline script: the Content-Security-Policy forbids it).

// The server closes the websocket of a second tab with code 4409: say "already open"
// rather than "closed". textual.js opens the socket on load, after this runs.
(() => {
  const Native = window.WebSocket;
  function Watched(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("close", (event) => {
      if (event.code === 4409) {
        document.body.classList.add("-busy");
      }
    });
    return ws;
  }
  Watched.prototype = Native.prototype;
  Object.assign(Watched, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Watched;
})();

// "Start", "Open it again" and "Try again" reload the page; the session cookie lets it in.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      window.location.href = window.location.pathname;
    });
  }
});
