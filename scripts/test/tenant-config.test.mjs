// A tenant's generated worker configs for the MCP server: its service bindings renamed to the
// tenant's own scripts (`<prefix>-<capability>`) and dropped for capabilities it does not deploy,
// its OAuth store on the tenant's KV namespace, its public origin, and a deploy order that puts it
// after the workers it binds; the token broker never lives in it. Offline: nothing is deployed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokerHost, deployOrder, workerConfig } from "../lib/tenant-config.mjs";

const KV = "11111111111111111111111111111111";
const tenant = (capabilities, cloudflare = {}) => ({
  servicetitan: { environment: "integration", tenantId: 4242 },
  cloudflare: { workerPrefix: "acme", kvNamespaceId: KV, ...cloudflare },
  capabilities,
});

describe("the mcp capability in a tenant's configs", () => {
  it("binds the tenant's own scripts, and only the capabilities it deploys", () => {
    const { config } = workerConfig("acme", tenant(["mcp", "invoice-lookup", "payment-posting"]), "mcp");
    assert.equal(config.name, "acme-mcp");
    assert.deepEqual(config.services, [
      { binding: "INVOICE_LOOKUP", service: "acme-invoice-lookup" },
      { binding: "PAYMENT_POSTING", service: "acme-payment-posting" },
    ]);
    assert.deepEqual(config.kv_namespaces, [{ binding: "OAUTH_KV", id: KV }]);
    assert.equal(config.vars.ST_TENANT_ID, "4242");
    assert.equal(config.vars.MCP_PUBLIC_URL, undefined);
  });

  it("binds the invoice workers where the tenant deploys them", () => {
    const capabilities = [
      "invoice-lookup",
      "payment-posting",
      "invoice-changes",
      "invoice-adjustments",
      "mcp",
    ];
    const { config } = workerConfig("acme", tenant(capabilities), "mcp");
    assert.deepEqual(config.services, [
      { binding: "INVOICE_LOOKUP", service: "acme-invoice-lookup" },
      { binding: "PAYMENT_POSTING", service: "acme-payment-posting" },
      { binding: "INVOICE_CHANGES", service: "acme-invoice-changes" },
      { binding: "INVOICE_ADJUSTMENTS", service: "acme-invoice-adjustments" },
    ]);
  });

  it("names its public origin for OAuth when the tenant gives one", () => {
    const withUrl = tenant(["invoice-lookup", "mcp"], { mcpPublicUrl: "https://mcp.acme.example" });
    assert.equal(workerConfig("acme", withUrl, "mcp").config.vars.MCP_PUBLIC_URL, "https://mcp.acme.example");
    assert.equal(workerConfig("acme", withUrl, "invoice-lookup").config.vars.MCP_PUBLIC_URL, undefined);
  });

  it("deploys last and never hosts the token broker", () => {
    const listed = tenant(["mcp", "payment-posting", "invoice-lookup"]);
    assert.equal(brokerHost(listed), "payment-posting");
    assert.deepEqual(deployOrder(listed), ["payment-posting", "invoice-lookup", "mcp"]);
  });

  it("leaves the other workers' configs as they were", () => {
    const { config } = workerConfig("acme", tenant(["invoice-lookup", "mcp"]), "invoice-lookup");
    assert.deepEqual(config.services, []);
    assert.deepEqual(config.kv_namespaces, [{ binding: "TOKENS", id: KV }]);
  });
});
