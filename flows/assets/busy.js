// Marks a form busy while it is submitted: the form gets aria-busy and its
// submit button is disabled once the submission has started, so a double
// click sends one request. Every page works without this script.
"use strict";
document.addEventListener("submit", function (e) {
	var form = e.target, button = e.submitter;
	if (form.getAttribute("aria-busy") === "true") {
		e.preventDefault();
		return;
	}
	form.setAttribute("aria-busy", "true");
	if (button) {
		// After the form data is taken: a disabled submitter would drop
		// its name and formaction.
		setTimeout(function () { button.disabled = true; }, 0);
	}
});
// A page restored from the back-forward cache is usable again.
window.addEventListener("pageshow", function (e) {
	if (!e.persisted) {
		return;
	}
	document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
		form.removeAttribute("aria-busy");
		form.querySelectorAll("button[disabled]").forEach(function (b) { b.disabled = false; });
	});
});
