// Signatures both ways, checked against HMACs computed independently (Web Crypto directly).
import { describe, expect, it } from "vitest";
import { deliverySignature, isServiceTitanSignature } from "./signing.ts";

const encoder = new TextEncoder();
async function hmac(key: string, text: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(text)));
}
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("deliverySignature", () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', async () => {
    const body = '{"id":"1-2026-01-01T00:00:00Z"}';
    const header = await deliverySignature("hook-secret-0123456789", body, 1767225600.7);
    expect(header).toBe(`t=1767225600,v1=${hex(await hmac("hook-secret-0123456789", `1767225600.${body}`))}`);
  });
});

describe("isServiceTitanSignature", () => {
  const key = "st-webhook-key-0123456789abcdef0123";
  const body = encoder.encode('{"type":"tn.acc.invoice-updated"}');

  it("accepts hex, base64, base64url and a sha256= prefix", async () => {
    const mac = await hmac(key, new TextDecoder().decode(body));
    const base64 = btoa(String.fromCharCode(...mac));
    for (const header of [
      hex(mac),
      hex(mac).toUpperCase(),
      base64,
      base64.replace(/\+/g, "-").replace(/\//g, "_"),
      `sha256=${hex(mac)}`,
    ]) {
      expect(await isServiceTitanSignature(key, body, header)).toBe(true);
    }
  });

  it("refuses another key, another body, a truncated or missing signature", async () => {
    const mac = hex(await hmac(key, new TextDecoder().decode(body)));
    expect(await isServiceTitanSignature("another-key-0123456789abcdef0123", body, mac)).toBe(false);
    expect(await isServiceTitanSignature(key, encoder.encode("{}"), mac)).toBe(false);
    expect(await isServiceTitanSignature(key, body, mac.slice(0, 62))).toBe(false);
    expect(await isServiceTitanSignature(key, body, null)).toBe(false);
    expect(await isServiceTitanSignature(key, body, "")).toBe(false);
  });
});
