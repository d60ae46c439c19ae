// `pnpm tenant verify <name>`: know before you post. Against the tenant's ServiceTitan environment,
// with its own credentials: the token request, the app key, one read per module its workers use
// (403 = not licensed, or the app lacks the scope), and whether POST /payments is still live —
// all without writing anything. Plain fetch on purpose: every status is reported as ServiceTitan
// gave it, with no retry or token cache in between.
import { accountingBaseUrl, tokenUrl } from "../../packages/servicetitan/src/environments.ts";

/** What each capability reads, as one cheap call per module (the scope it needs in brackets). */
const READS = {
  invoices: { path: "/invoices?pageSize=1", scope: "tn.acc.invoices:r" },
  payments: { path: "/payments?pageSize=1", scope: "tn.acc.payments:r" },
  "payment-types": { path: "/payment-types?pageSize=1", scope: "tn.acc.paymenttypes:r" },
  "payment-terms": { path: "/payment-terms?pageSize=1", scope: "tn.acc.paymentterms:r" },
  "tax-zones": { path: "/tax-zones?pageSize=1", scope: "tn.acc.taxzones:r" },
  "ap-bills": { path: "/ap-bills?pageSize=1", scope: "tn.acc.apbills:r" },
};
export const MODULES_BY_CAPABILITY = {
  "invoice-lookup": ["invoices", "payments"],
  "tax-zones": ["invoices", "tax-zones"],
  "payment-terms": ["payment-terms"],
  bills: ["ap-bills"],
  "payment-posting": ["invoices", "payments", "payment-types"],
};

/**
 * The body of the POST /payments probe. It can never create a payment: every field the
 * PaymentCreateRequest schema defines is the wrong JSON type (`typeId`, required, is an int64;
 * `amount` a number; `splits` an array), and the schema allows no other properties, so the
 * spec's own validation must refuse it (400) before anything is written. Even a reader that
 * dropped what it cannot parse would be left with no payment type, no amount and no invoice to
 * apply anything to. A 400 therefore means "the operation is there"; 404/405 mean it is gone.
 */
export const PAYMENT_PROBE_BODY = {
  typeId: "st-edge verify: not a payment type",
  amount: "st-edge verify: not an amount",
  splits: "st-edge verify: not a list of splits",
  stEdgeVerifyProbe: true,
};

const row = (check, result, detail) => ({ check, result, detail });

async function call(fetch, url, init) {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    return {
      status: 0,
      error: error?.name === "TimeoutError" ? "no answer within 20 s" : "could not connect",
    };
  }
}

const described = ({ status, body, error }) =>
  error ??
  `${status}${body?.title ? ` ${body.title}` : ""}${body?.traceId ? ` (traceId ${body.traceId})` : ""}`;

/**
 * Runs every check; resolves to the table rows and whether all of them passed. Never throws for
 * what ServiceTitan answers.
 *
 * @param hosts  `{ apiBaseUrl, authBaseUrl }` of the environment (or the simulator)
 */
export async function verifyTenant({
  hosts,
  tenantId,
  authScheme = "raw",
  credentials,
  appKey,
  capabilities,
  fetch = globalThis.fetch,
}) {
  const rows = [];
  const token = await call(fetch, tokenUrl(hosts), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    }),
  });
  const accessToken = token.status === 200 ? token.body?.access_token : undefined;
  if (typeof accessToken !== "string") {
    const detail =
      token.status === 400 || token.status === 401
        ? `refused: ${token.body?.error ?? token.status} (check ST_CLIENT_ID / ST_CLIENT_SECRET for this tenant and environment)`
        : token.status === 429
          ? "throttled (429): the token endpoint limits requests; try again in a minute"
          : `no token: ${described(token)}`;
    rows.push(row("credentials (token request)", "problem", detail));
    return { ok: false, rows };
  }
  rows.push(row("credentials (token request)", "ok", `token issued, expires_in ${token.body.expires_in} s`));

  const base = `${accountingBaseUrl(hosts)}/tenant/${tenantId}`;
  const headers = {
    Authorization: authScheme === "bearer" ? `Bearer ${accessToken}` : accessToken,
    "ST-App-Key": appKey,
    Accept: "application/json",
  };
  const modules = [...new Set(capabilities.flatMap((capability) => MODULES_BY_CAPABILITY[capability] ?? []))];
  const reads = [];
  for (const module of modules)
    reads.push({ module, ...(await call(fetch, `${base}${READS[module].path}`, { headers })) });

  // A fresh token refused on every read means the app key (or the Authorization form) is refused.
  const refused = reads.length > 0 && reads.every((read) => read.status === 401);
  rows.push(
    refused
      ? row(
          "app key",
          "problem",
          `every read answered 401 with a fresh token: ${described(reads[0])} (check ST_APP_KEY, and servicetitan.authScheme)`,
        )
      : row("app key", "ok", "accepted"),
  );
  for (const read of reads) {
    const { scope } = READS[read.module];
    if (read.status === 200) rows.push(row(`read ${read.module}`, "ok", `200 (${scope})`));
    else if (read.status === 403)
      rows.push(
        row(`read ${read.module}`, "problem", `403: not licensed for this module, or the app lacks ${scope}`),
      );
    else rows.push(row(`read ${read.module}`, "problem", described(read)));
  }

  if (capabilities.includes("payment-posting")) rows.push(await probePaymentCreation(fetch, base, headers));
  return { ok: rows.every((r) => r.result === "ok"), rows };
}

async function probePaymentCreation(fetch, base, headers) {
  const check = "POST /payments (create)";
  const answer = await call(fetch, `${base}/payments`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(PAYMENT_PROBE_BODY),
  });
  switch (true) {
    case answer.status === 400: {
      const fields = Object.keys(answer.body?.errors ?? {});
      return row(
        check,
        "ok",
        `live: refused the invalid probe body with 400${fields.length ? ` (${fields.join(", ")})` : ""}; nothing written`,
      );
    }
    case answer.status === 404 || answer.status === 405:
      return row(
        check,
        "problem",
        `gone (${answer.status}): payment-posting cannot create payments in this environment`,
      );
    case answer.status === 403:
      return row(check, "problem", "403: the app lacks tn.acc.payments:w, or the tenant is not licensed");
    case answer.status >= 200 && answer.status < 300:
      return row(
        check,
        "problem",
        `${answer.status}: ServiceTitan ACCEPTED a body that is not a payment; check the tenant's payments and report this`,
      );
    default:
      return row(check, "problem", `unexpected answer: ${described(answer)}`);
  }
}

/** The rows as a Markdown table. */
export function formatTable(rows) {
  const lines = ["| check | result | detail |", "| --- | --- | --- |"];
  for (const r of rows)
    lines.push(
      `| ${r.check} | ${r.result === "ok" ? "ok" : "PROBLEM"} | ${r.detail.replaceAll("|", "\\|")} |`,
    );
  return lines.join("\n");
}
