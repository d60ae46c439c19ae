// @st-edge/views: what callers see of ServiceTitan records, shared by the workers that answer
// them and by the events their changes publish, so a polled item and a delivered event are the
// same object with the same per-version `id`. Each record kind is also its own entry point
// (`@st-edge/views/invoice`, `/payment`, `/bill`), where its names need no prefix.
export * as bill from "./bill.ts";
export * as invoice from "./invoice.ts";
export * as payment from "./payment.ts";
