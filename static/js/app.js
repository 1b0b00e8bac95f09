// Starts GOV.UK Frontend's components. Loaded as a module: no inline script anywhere.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
