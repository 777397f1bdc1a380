// The live preview of a unit's page: while values are typed, the engine's points for them,
// asked of the server (nothing is saved until the form is submitted). Without this script the
// page works the same, with the preview shown after each save.
"use strict";
(function () {
  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  let timer = null;
  let asked = 0;
  const show = (id, text) => {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  };
  async function refresh() {
    const ticket = ++asked;
    const body = new URLSearchParams(new FormData(form));
    let answer;
    try {
      const response = await fetch(form.dataset.preview, { method: "POST", body, credentials: "same-origin" });
      answer = await response.json();
    } catch (e) {
      return;
    }
    if (ticket !== asked) return;
    show("preview-problems", (answer.problems || []).join(" "));
    if (answer.problems) return;
    show("preview-total", answer.total + " / " + answer.max);
    show("preview-index", answer.index || "");
    show("preview-band", answer.band || "");
    for (const span of document.querySelectorAll("[data-area-points]")) {
      const area = answer.rows[span.dataset.areaPoints];
      if (area) span.textContent = area.points + " / " + area.max;
    }
    for (const cell of document.querySelectorAll("[data-points]")) {
      const row = answer.rows[cell.dataset.points];
      if (!row) continue;
      cell.querySelector(".points").textContent = row.points;
      cell.querySelector(".reason").textContent = row.reason || "";
    }
  }
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
