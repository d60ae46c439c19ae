// Which targets deliveries may go to: every IPv4 and IPv6 notation of a non-public address is
// refused, as are loopback and metadata names; loopback only in local mode.
import { describe, expect, it } from "vitest";
import { addressProblem, checkResolved, checkTarget } from "./targets.ts";

describe("checkTarget (deployed)", () => {
  const refused: [string, string][] = [
    ["plain http", "http://hooks.example.com/a"],
    ["another scheme", "ftp://hooks.example.com/a"],
    ["not a URL", "hooks.example.com/a"],
    ["credentials in the URL", "https://user:pass@hooks.example.com/a"],
    ["localhost", "https://localhost/a"],
    ["localhost with a trailing dot", "https://localhost./a"],
    ["a .localhost name", "https://api.localhost/a"],
    ["IPv4 loopback", "https://127.0.0.1/a"],
    ["IPv4 loopback elsewhere in 127/8", "https://127.8.9.10/a"],
    ["IPv4 as one decimal number", "https://2130706433/a"],
    ["IPv4 in hex", "https://0x7f000001/a"],
    ["IPv4 in dotted hex", "https://0x7f.0x0.0x0.0x1/a"],
    ["IPv4 in octal", "https://0177.0.0.01/a"],
    ["IPv4 shortened", "https://127.1/a"],
    ["unspecified IPv4", "https://0.0.0.0/a"],
    ["private 10/8", "https://10.1.2.3/a"],
    ["private 172.16/12", "https://172.31.255.255/a"],
    ["private 192.168/16", "https://192.168.0.10:8443/a"],
    ["carrier-grade NAT", "https://100.64.0.1/a"],
    ["cloud metadata address", "https://169.254.169.254/latest/meta-data/"],
    ["link-local", "https://169.254.1.1/a"],
    ["multicast", "https://224.0.0.1/a"],
    ["broadcast", "https://255.255.255.255/a"],
    ["documentation range", "https://192.0.2.10/a"],
    ["IPv6 loopback", "https://[::1]/a"],
    ["IPv6 loopback spelled out", "https://[0:0:0:0:0:0:0:1]/a"],
    ["IPv6 unspecified", "https://[::]/a"],
    ["IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/a"],
    ["IPv4-mapped IPv6 in hex", "https://[::ffff:7f00:1]/a"],
    ["IPv4-mapped metadata", "https://[::ffff:169.254.169.254]/a"],
    ["IPv4-mapped private", "https://[::ffff:10.0.0.1]/a"],
    ["IPv4-compatible IPv6", "https://[::127.0.0.1]/a"],
    ["NAT64 of a private address", "https://[64:ff9b::10.0.0.1]/a"],
    ["6to4 of loopback", "https://[2002:7f00:1::]/a"],
    ["unique local", "https://[fd12:3456::1]/a"],
    ["IPv6 link-local", "https://[fe80::1]/a"],
    ["IPv6 multicast", "https://[ff02::1]/a"],
    ["IPv6 documentation", "https://[2001:db8::1]/a"],
    ["GCP metadata name", "https://metadata.google.internal/computeMetadata/v1/"],
    ["a .internal name", "https://db.corp.internal/a"],
    ["an mDNS name", "https://printer.local/a"],
    ["a single-label name", "https://intranet/a"],
    ["an upper-case metadata name", "https://METADATA.GOOGLE.INTERNAL/a"],
  ];
  it.each(refused)("refuses %s", (_, url) => {
    const verdict = checkTarget(url, "deployed");
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toBeTruthy();
  });

  const allowed: [string, string][] = [
    ["a public https name", "https://hooks.zapier.com/hooks/standard/123/abc/"],
    ["a public IPv4 address", "https://93.184.216.34/a"],
    ["a public IPv6 address", "https://[2606:4700:4700::1111]/a"],
    ["NAT64 of a public address", "https://[64:ff9b::5db8:d822]/a"],
    ["a port", "https://hooks.example.com:8443/a?x=1"],
    ["a name that only looks numeric in part", "https://1password.example.com/a"],
  ];
  it.each(allowed)("allows %s", (_, url) => {
    expect(checkTarget(url, "deployed")).toEqual({ ok: true });
  });
});

describe("checkTarget (local)", () => {
  it.each([
    "http://127.0.0.1:9000/hook",
    "http://localhost:9000/hook",
    "http://[::1]:9000/",
    "https://127.0.0.1/",
  ])("allows loopback %s", (url) => expect(checkTarget(url, "local")).toEqual({ ok: true }));
  it.each(["http://10.0.0.5/", "http://169.254.169.254/", "http://192.168.1.1/", "http://[fd00::1]/"])(
    "still refuses the private or metadata address %s",
    (url) => expect(checkTarget(url, "local").ok).toBe(false),
  );
});

describe("addressProblem", () => {
  it.each([
    ["8.8.8.8", undefined],
    ["2606:4700:4700::1111", undefined],
    ["169.254.169.254", "link-local (cloud metadata lives here)"],
    ["::1", "loopback"],
    ["::ffff:192.168.1.1", "private"],
    ["not an address", undefined],
  ])("%s → %s", (address, want) => expect(addressProblem(address)).toBe(want));
});

describe("checkResolved (DNS-over-HTTPS)", () => {
  const resolver = "https://dns.test/dns-query";
  const answering =
    (answers: Record<string, { type: number; data: string }[]>, status = 0) =>
    async (request: Request) => {
      const type = new URL(request.url).searchParams.get("type") ?? "";
      return Response.json({ Status: status, Answer: answers[type] ?? [] });
    };

  it("refuses a name that resolves to a private address, in any answer", async () => {
    const send = answering({
      A: [{ type: 1, data: "93.184.216.34" }],
      AAAA: [{ type: 28, data: "fd00::1" }],
    });
    const verdict = await checkResolved(new URL("https://rebind.example.com/"), {
      resolver,
      send,
      policy: "deployed",
    });
    expect(verdict.ok).toBe(false);
  });

  it("allows a name with only public addresses", async () => {
    const send = answering({ A: [{ type: 1, data: "93.184.216.34" }] });
    expect(
      await checkResolved(new URL("https://ok.example.com/"), { resolver, send, policy: "deployed" }),
    ).toEqual({
      ok: true,
    });
  });

  it("fails closed: no answer, NXDOMAIN or an unreachable resolver refuse", async () => {
    const url = new URL("https://gone.example.com/");
    expect((await checkResolved(url, { resolver, send: answering({}), policy: "deployed" })).ok).toBe(false);
    expect((await checkResolved(url, { resolver, send: answering({}, 3), policy: "deployed" })).ok).toBe(
      false,
    );
    const down = async () => {
      throw new TypeError("network");
    };
    expect((await checkResolved(url, { resolver, send: down, policy: "deployed" })).reason).toContain(
      "resolver",
    );
  });

  it("asks nothing for address literals, or when no resolver is configured", async () => {
    const never = async (): Promise<Response> => {
      throw new Error("must not be called");
    };
    expect(
      (await checkResolved(new URL("https://93.184.216.34/"), { resolver, send: never, policy: "deployed" }))
        .ok,
    ).toBe(true);
    expect(
      (
        await checkResolved(new URL("https://x.example.com/"), {
          resolver: null,
          send: never,
          policy: "deployed",
        })
      ).ok,
    ).toBe(true);
  });
});
