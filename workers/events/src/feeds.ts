// Polling, for the changes ServiceTitan sends no webhook about: its export feeds (payments,
// invoices as a fallback to webhooks) and AP bills. One round reads each feed from its stored
// cursor, a batch at a time, and hands each batch to the Durable Object together with the cursor
// that follows it: the cursor only moves once the batch is processed, so a crash mid-batch
// re-reads it, and the versions already seen fire nothing the second time.
//
// Export feeds follow `continueFrom` with `includeRecentChanges=true`, which shows changes at
// once (instead of ~15 minutes later) at the price of repeats (FACTS.md §2.8); repeats are the
// same versions, and are ignored. A feed starts on the day watching began (`from=<date>`, the
// documented form); versions from before that moment are recorded without firing.
import { log, serviceTitanFor } from "@st-edge/edge";
import {
  type ApBill,
  deadlineIn,
  type ServiceTitanClient,
  ServiceTitanError,
  stampKey,
  unwrap,
} from "@st-edge/servicetitan";
import { type DeliveryRef, dispatch } from "./dispatch.ts";
import { billObservation, invoiceObservation, type Observation, paymentObservation } from "./observations.ts";
import { type EventsBindings, type FeedName, tenantOf } from "./settings.ts";
import type { FeedState } from "./watcher/store.ts";

/** What polling needs of the tenant's Durable Object (the object itself in its alarm, or a stub). */
export interface WatcherStore {
  feedState(feed: FeedName): Promise<FeedState>;
  ingest(input: { observations: Observation[]; feed?: FeedName; cursor?: string }): Promise<DeliveryRef[]>;
  feedFailed(input: { feed: FeedName; error: string; retryInMs: number }): Promise<void>;
}

/** One read of a feed: what it held and where the next read starts. */
interface Batch {
  observations: Observation[];
  cursor: string;
  more: boolean;
}

type Reader = (client: ServiceTitanClient, cursor: string | null, baselineAt: number) => Promise<Batch>;

/** A round's ServiceTitan calls end within this (an alarm may run far longer; a round should not). */
const ROUND_BUDGET_MS = 120_000;
/** Calls per feed and round: a feed far behind catches up over several rounds. */
const MAX_CALLS_PER_ROUND = 20;
const BILLS_PAGE_SIZE = 500;
/** A feed that failed waits this long (doubling per failure, at most 30 minutes). */
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 30 * 60_000;
/** A feed ServiceTitan does not serve (404/501) is asked again hourly. */
const UNSUPPORTED_RETRY_MS = 60 * 60_000;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Builds one observation per record; a record that cannot be viewed is logged and left out. */
function observe<T extends { id: number }>(
  records: readonly T[],
  view: (record: T) => Observation,
): Observation[] {
  return records.flatMap((record) => {
    try {
      return [view(record)];
    } catch (error) {
      log("warn", {
        event: "record-unreadable",
        recordId: record.id,
        error: error instanceof Error ? error.name : "unknown",
      });
      return [];
    }
  });
}

const exportBatch = (
  batch: { data: unknown[]; continueFrom: string; hasMore: boolean },
  cursor: string | null,
) =>
  // An unchanged token with hasMore would loop: stop and come back next round.
  batch.hasMore && batch.continueFrom !== cursor;

const readers: Record<FeedName, Reader> = {
  payments: async (client, cursor, baselineAt) => {
    const batch = unwrap(
      await client.GET("/tenant/{tenant}/export/payments", {
        params: { query: { from: cursor ?? dayOf(baselineAt), includeRecentChanges: true } },
      }),
    );
    return {
      observations: observe(batch.data, (payment) => paymentObservation(payment)),
      cursor: batch.continueFrom,
      more: exportBatch(batch, cursor),
    };
  },
  invoices: async (client, cursor, baselineAt) => {
    const batch = unwrap(
      await client.GET("/tenant/{tenant}/export/invoices", {
        params: { query: { from: cursor ?? dayOf(baselineAt), includeRecentChanges: true } },
      }),
    );
    return {
      observations: observe(batch.data, (invoice) => invoiceObservation(invoice)),
      cursor: batch.continueFrom,
      more: exportBatch(batch, cursor),
    };
  },
  // AP bills have no export feed: list those modified on or after a watermark, page by page (the
  // list is ordered by id, not time, so the watermark only moves after the last page). The cursor
  // is {since, page, newest}: resumable after every page.
  "ap-bills": async (client, cursor, baselineAt) => {
    const position = parseBillsCursor(cursor) ?? {
      since: new Date(baselineAt).toISOString(),
      page: 1,
      newest: new Date(baselineAt).toISOString(),
    };
    const page = unwrap(
      await client.GET("/tenant/{tenant}/ap-bills", {
        params: {
          query: { modifiedOnOrAfter: position.since, page: position.page, pageSize: BILLS_PAGE_SIZE },
        },
      }),
    );
    const newest = page.data.reduce(
      (latest, bill: ApBill) =>
        bill.modifiedOn && stampKey(bill.modifiedOn) > stampKey(latest) ? bill.modifiedOn : latest,
      position.newest,
    );
    const more = page.hasMore && page.data.length > 0;
    const next = more ? { ...position, page: position.page + 1, newest } : { since: newest, page: 1, newest };
    return { observations: observe(page.data, billObservation), cursor: JSON.stringify(next), more };
  },
};

function parseBillsCursor(
  cursor: string | null,
): { since: string; page: number; newest: string } | undefined {
  if (cursor === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "since" in parsed &&
      typeof parsed.since === "string" &&
      "page" in parsed &&
      typeof parsed.page === "number" &&
      "newest" in parsed &&
      typeof parsed.newest === "string"
    ) {
      return { since: parsed.since, page: parsed.page, newest: parsed.newest };
    }
  } catch {
    // not ours: start again from the baseline
  }
  return undefined;
}

/** Why a feed read failed, for the status route and logs (never a secret: no bodies). */
function describe(error: unknown): { text: string; unsupported: boolean } {
  if (error instanceof ServiceTitanError) {
    return {
      text: `ServiceTitan ${error.failure ?? error.status}${error.traceId ? ` (traceId ${error.traceId})` : ""}`,
      unsupported: error.status === 404 || error.status === 501,
    };
  }
  return { text: error instanceof Error ? error.name : "unknown error", unsupported: false };
}

/**
 * One polling round over `feeds`. Returns the deliveries to queue. Each feed's failure is
 * recorded on that feed (which then waits, doubling) and does not stop the others.
 *
 * @example const refs = await pollFeeds({ env, store: tenantStore(env), feeds: ["payments"] });
 */
export async function pollFeeds(input: {
  env: EventsBindings;
  store: WatcherStore;
  feeds: readonly FeedName[];
  now?: number;
}): Promise<DeliveryRef[]> {
  const { client } = await serviceTitanFor({
    env: input.env,
    var: { deadline: deadlineIn(ROUND_BUDGET_MS) },
  });
  const refs: DeliveryRef[] = [];
  for (const feed of input.feeds) {
    const state = await input.store.feedState(feed);
    if (state.retryAt > (input.now ?? Date.now())) continue;
    let cursor = state.cursor;
    try {
      for (let call = 0; call < MAX_CALLS_PER_ROUND; call++) {
        const batch = await readers[feed](client, cursor, state.baselineAt);
        refs.push(
          ...(await input.store.ingest({ observations: batch.observations, feed, cursor: batch.cursor })),
        );
        cursor = batch.cursor;
        if (!batch.more) break;
      }
    } catch (error) {
      const { text, unsupported } = describe(error);
      const retryInMs = unsupported
        ? UNSUPPORTED_RETRY_MS
        : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(state.failures, 10));
      log("warn", { event: "feed-failed", feed, error: text });
      await input.store.feedFailed({ feed, error: text, retryInMs });
    }
  }
  return refs;
}

/**
 * One round of watching: poll `feeds`, then queue the deliveries the changes caused. What the
 * tenant's alarm runs (and tests, with their bindings). A queue failure after the changes were
 * recorded loses nothing: the deliveries wait in the Durable Object for the sweeper.
 *
 * @example await watchRound({ env, store: tenantStore(env), feeds: pollSettings(env).feeds });
 */
export async function watchRound(input: {
  env: EventsBindings;
  store: WatcherStore;
  feeds: readonly FeedName[];
  /** The round's clock, for feeds waiting after a failure (default now). */
  now?: number;
}) {
  const refs = await pollFeeds(input);
  await dispatch(input.env.DELIVERIES, tenantOf(input.env).key, refs);
  return refs;
}
