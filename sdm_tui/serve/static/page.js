// The page's own script (no inline script: the Content-Security-Policy forbids it).
// "Start" and "Open it again" reload the page; the session cookie lets it back in.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      window.location.href = window.location.pathname;
    });
  }
});
