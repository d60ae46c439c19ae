// GET /invoices/poll?limit=: the polling trigger. Newest versions first; each item's `id` is
// "<invoiceId>-<modifiedOn>", so Zapier and n8n, which remember the ids they have seen, fire
// again when an invoice changes and never twice for the same version.
import { ProblemError, serviceTitanFor } from "@st-edge/edge";
import { toPollItem } from "@st-edge/views/invoice";
import { LIMITS, type pollInvoices } from "../api.ts";
import { newestInvoices } from "../upstream.ts";
import type { Handler } from "./context.ts";
import { markIncomplete } from "./find-invoices.ts";

const LOOKBACK_MS = LIMITS.pollLookbackDays * 86_400_000;

export const pollInvoicesHandler: Handler<typeof pollInvoices> = async (c, { query }) => {
  const { client, deadline } = await serviceTitanFor(c);
  const { records, complete, calls } = await newestInvoices(client, deadline, {
    // Deactivating an invoice is a change too.
    filters: { activeState: "All" },
    // Inclusive lower bound and no upper bound: nothing stamped at a boundary or ahead of our clock is skipped.
    window: { from: Date.now() - LOOKBACK_MS },
    limit: query.limit,
  });
  if (!complete) {
    // An empty answer would read as "nothing changed"; say ServiceTitan was too slow instead.
    if (records.length === 0) {
      throw new ProblemError({
        type: "upstream-timeout",
        detail: "ServiceTitan did not answer in time to list recent invoices",
        retryAfterSeconds: 30,
      });
    }
    markIncomplete(c, calls);
  }
  return c.json(records.map(toPollItem));
};
