import document from "../../../specs/servicetitan/accounting-v2.effective.json" with { type: "json" };
export const x: number = document.openapi;
