import { describe, expect, it } from "vitest";
import { type Route, routeOf } from "./routing.ts";

const cases: [string, { url: string; hostTenant?: string; want: Route | undefined }][] = [
  [
    "path form",
    {
      url: "https://api.example.com/acme/invoice-lookup/invoices/7?ids=1,2",
      want: { tenant: "acme", capability: "invoice-lookup", forwardPath: "/invoices/7?ids=1,2", via: "path" },
    },
  ],
  [
    "path form, the worker's root",
    {
      url: "https://api.example.com/acme/invoice-lookup",
      want: { tenant: "acme", capability: "invoice-lookup", forwardPath: "/", via: "path" },
    },
  ],
  [
    "hostname form",
    {
      url: "https://acme.example.com/payment-posting/payments",
      hostTenant: "acme",
      want: { tenant: "acme", capability: "payment-posting", forwardPath: "/payments", via: "hostname" },
    },
  ],
  [
    "on a tenant's hostname the first segment is always a capability, never another tenant",
    {
      url: "https://acme.example.com/other/invoice-lookup/invoices/7",
      hostTenant: "acme",
      want: {
        tenant: "acme",
        capability: "other",
        forwardPath: "/invoice-lookup/invoices/7",
        via: "hostname",
      },
    },
  ],
  ["nothing but the root", { url: "https://api.example.com/", want: undefined }],
  ["a tenant without a capability", { url: "https://api.example.com/acme", want: undefined }],
  ["a tenant name with capitals", { url: "https://api.example.com/Acme/invoice-lookup/x", want: undefined }],
  [
    "an encoded slash in the tenant",
    { url: "https://api.example.com/a%2Fb/invoice-lookup/x", want: undefined },
  ],
  [
    "dot segments are resolved before routing",
    { url: "https://api.example.com/acme/../invoice-lookup", want: undefined },
  ],
];

describe("routeOf", () => {
  it.each(cases)("%s", (_, { url, hostTenant, want }) => {
    expect(routeOf(new URL(url), hostTenant)).toEqual(want);
  });
});
