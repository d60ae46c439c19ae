// Which URLs a delivery may go to. A subscriber names the target, so a target is untrusted: it
// must never make this worker call into a private network, the loopback interface, link-local
// space or a cloud metadata service. Checked when subscribing, before every attempt, and on every
// redirect hop (deliveries follow redirects themselves, see delivery.ts).
//
// Addresses: the URL parser (WHATWG) already turns every IPv4 spelling into dotted decimal
// ("0x7f.1", "2130706433", "0177.0.0.1" all become 127.0.0.1) and IPv6 into its canonical form,
// so the checks below see one notation; IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is
// checked as the IPv4 address it carries.
//
// Names: a Worker cannot resolve a name before fetch uses it. With a DNS-over-HTTPS resolver
// configured (the default when deployed), the name's A and AAAA answers are checked too; a name
// that changes its answer between our query and the fetch (DNS rebinding) is not caught by
// that, which is why the address checks never rely on it alone. Workers' requests leave from
// Cloudflare's network, not from a network of this deployment, so there is no private network of
// ours behind them to reach.

export type TargetPolicy = "deployed" | "local";

export interface TargetVerdict {
  ok: boolean;
  /** Why not, in words a subscriber can act on. */
  reason?: string;
}

const OK: TargetVerdict = { ok: true };
const refuse = (reason: string): TargetVerdict => ({ ok: false, reason });

/** Names that mean this machine, a private network or a metadata service, wherever DNS says. */
const BLOCKED_NAMES = new Set([
  "localhost",
  "localhost.localdomain",
  "ip6-localhost",
  "ip6-loopback",
  "metadata",
  "metadata.google.internal",
  "metadata.azure.internal",
  "instance-data",
  "instance-data.ec2.internal",
]);
const BLOCKED_SUFFIXES = [
  ".localhost",
  ".local",
  ".internal",
  ".localdomain",
  ".home.arpa",
  ".lan",
  ".intranet",
];
const LOOPBACK_NAMES = new Set(["localhost", "ip6-localhost", "ip6-loopback"]);

/** IPv4 ranges that are not the public internet: [base address, prefix length, what it is]. */
const BLOCKED_V4: [string, number, string][] = [
  ["0.0.0.0", 8, "this network"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local (cloud metadata lives here)"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 address as a 32-bit number, or undefined when `text` is not dotted decimal. */
function v4Number(text: string): number | undefined {
  const match = V4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((total, octet) => total * 256 + octet, 0);
}

function inV4Range(address: number, base: string, prefix: number): boolean {
  const start = v4Number(base) ?? 0;
  const size = 2 ** (32 - prefix);
  return address >= start && address < start + size;
}

/** Why an IPv4 address is not public, or undefined when it is. */
function v4Problem(address: number): string | undefined {
  return BLOCKED_V4.find(([base, prefix]) => inV4Range(address, base, prefix))?.[2];
}

/** An IPv6 address (canonical, no brackets) as eight 16-bit groups, or undefined. */
function v6Groups(text: string): number[] | undefined {
  let head = text;
  // A trailing dotted IPv4 (the parser writes mapped addresses in hex, but be liberal).
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const v4 = v4Number(dotted[2] ?? "");
    if (v4 === undefined) return undefined;
    head = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(halves[0] ?? "");
  const right = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (groups.some((group) => !/^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}

const v4Of = (high: number, low: number) => high * 65_536 + low;

/** Why an IPv6 address is not public, or undefined when it is. */
function v6Problem(groups: number[]): string | undefined {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = groups;
  const zerosBefore = (n: number) => groups.slice(0, n).every((group) => group === 0);
  if (zerosBefore(7) && h === 1) return "loopback";
  if (zerosBefore(8)) return "unspecified";
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d
  if (zerosBefore(5) && f === 0xffff) return v4Problem(v4Of(g, h)) ?? "IPv4-mapped";
  if (zerosBefore(4) && e === 0xffff && f === 0) return v4Problem(v4Of(g, h)) ?? "IPv4-translated";
  // IPv4-compatible ::a.b.c.d (deprecated): never a public route
  if (zerosBefore(6)) return "IPv4-compatible";
  // NAT64 64:ff9b::/96 and 64:ff9b:1::/48 carry an IPv4 address that must be public too.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    return v4Problem(v4Of(g, h));
  }
  if (a === 0x64 && b === 0xff9b && c === 1) return "local-use NAT64";
  // 6to4 2002:V4ADDR::/48 carries an IPv4 address.
  if (a === 0x2002) return v4Problem(v4Of(b, c));
  if (a === 0x0100 && b === 0 && c === 0 && d === 0) return "discard-only";
  if (a === 0x2001 && b === 0x0db8) return "documentation";
  if (a === 0x2001 && b < 0x0200) return "IETF protocol assignments";
  if ((a & 0xfe00) === 0xfc00) return "unique local (private)";
  if ((a & 0xffc0) === 0xfe80) return "link-local";
  if ((a & 0xffc0) === 0xfec0) return "site-local";
  if ((a & 0xff00) === 0xff00) return "multicast";
  return undefined;
}

/**
 * Why an IP address literal (IPv4 dotted, or IPv6 without brackets) is not a public unicast
 * address; undefined when it is, or when `text` is not an address at all.
 *
 * @example addressProblem("169.254.169.254") // "link-local (cloud metadata lives here)"
 */
export function addressProblem(text: string): string | undefined {
  const v4 = v4Number(text);
  if (v4 !== undefined) return v4Problem(v4);
  const groups = text.includes(":") ? v6Groups(text) : undefined;
  return groups ? v6Problem(groups) : undefined;
}

const isLoopbackAddress = (text: string) => {
  const v4 = v4Number(text);
  if (v4 !== undefined) return inV4Range(v4, "127.0.0.0", 8);
  const groups = v6Groups(text);
  if (!groups) return false;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  return (
    (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) ||
    (mapped && inV4Range(v4Of(groups[6] ?? 0, groups[7] ?? 0), "127.0.0.0", 8))
  );
};

/** The host as the URL parser wrote it, without IPv6 brackets or a trailing dot, in lower case. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
}

/**
 * Checks a target URL against the policy (addresses and names only; see checkResolved for DNS).
 *
 * @example checkTarget("https://hooks.zapier.com/hooks/standard/1/abc", "deployed") // { ok: true }
 * @example checkTarget("http://127.0.0.1:9000/", "local") // { ok: true }
 */
export function checkTarget(target: string, policy: TargetPolicy): TargetVerdict {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return refuse("is not an absolute URL");
  }
  if (url.protocol !== "https:" && !(policy === "local" && url.protocol === "http:")) {
    return refuse(policy === "local" ? "must be an http or https URL" : "must be an https URL");
  }
  if (url.username !== "" || url.password !== "") return refuse("must not carry a user name or password");
  const host = hostOf(url);
  if (host === "") return refuse("has no host");
  const loopback = LOOPBACK_NAMES.has(host) || host.endsWith(".localhost") || isLoopbackAddress(host);
  if (loopback) return policy === "local" ? OK : refuse("points at this machine (loopback)");
  if (BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return refuse(`names a private or metadata host (${host})`);
  }
  const problem = addressProblem(host);
  if (problem) return refuse(`points at a non-public address (${problem})`);
  // A bare number or a dotted string the parser did not read as IPv4 (e.g. "1.2.3") is no host.
  const isV4 = v4Number(host) !== undefined;
  if (!isV4 && /^[\d.]+$/.test(host)) return refuse("has a host that is neither a name nor an IPv4 address");
  // A single-label name ("intranet") only means something on a private network's search path.
  if (policy === "deployed" && !isV4 && !host.includes(".") && !host.includes(":")) {
    return refuse("must name a fully qualified host");
  }
  return OK;
}

interface DnsAnswer {
  type?: number;
  data?: string;
}

/** A, AAAA */
const ADDRESS_TYPES = new Map([
  ["A", 1],
  ["AAAA", 28],
]);

/**
 * Checks the addresses a DNS-over-HTTPS resolver (JSON API, as Cloudflare's and Google's offer)
 * gives for the target's host. Address literals and loopback names in local mode need no query.
 * A resolver that fails or answers nothing refuses the target (fail closed).
 *
 * @example await checkResolved(new URL("https://example.com/"), { resolver, send: fetch, policy: "deployed" })
 */
export async function checkResolved(
  url: URL,
  options: { resolver: string | null; send: (request: Request) => Promise<Response>; policy: TargetPolicy },
): Promise<TargetVerdict> {
  const host = hostOf(url);
  // Address literals were judged by checkTarget; there is no name to resolve.
  if (!options.resolver || v4Number(host) !== undefined || host.includes(":")) return OK;
  if (options.policy === "local" && (LOOPBACK_NAMES.has(host) || host.endsWith(".localhost"))) return OK;
  const answers: string[] = [];
  for (const [type, code] of ADDRESS_TYPES) {
    const query = new URL(options.resolver);
    query.searchParams.set("name", host);
    query.searchParams.set("type", type);
    let body: { Status?: number; Answer?: DnsAnswer[] };
    try {
      const response = await options.send(
        new Request(query, {
          headers: { Accept: "application/dns-json" },
          signal: AbortSignal.timeout(3000),
        }),
      );
      if (!response.ok) return refuse(`could not be resolved (resolver answered ${response.status})`);
      body = await response.json();
    } catch {
      return refuse("could not be resolved (resolver unreachable)");
    }
    // NXDOMAIN and friends: nothing to check, and nothing a delivery could reach either.
    if (body.Status !== 0 && body.Status !== undefined) return refuse("does not resolve");
    for (const answer of body.Answer ?? []) {
      if (answer.type === code && typeof answer.data === "string") answers.push(answer.data);
    }
  }
  if (answers.length === 0) return refuse("does not resolve to any address");
  for (const address of answers) {
    const problem =
      options.policy === "local" && isLoopbackAddress(address)
        ? undefined
        : addressProblem(address.toLowerCase());
    if (problem) return refuse(`resolves to a non-public address (${problem})`);
  }
  return OK;
}
