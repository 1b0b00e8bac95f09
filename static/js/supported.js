// Marks the page as able to run GOV.UK Frontend's JavaScript (the template's inline snippet, as a file).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
