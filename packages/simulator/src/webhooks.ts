// ServiceTitan's webhooks (v2, beta), simulated: every invoice change is POSTed to a configured
// URL as a CloudEvent of the March 2026 document (`tn.acc.invoice-updated`, and
// `tn.acc.invoice-posted` / `-exported` when the invoice's syncStatus turns so), signed with an
// HMAC-SHA256 of the body in a header, and retried on anything but 200 after ServiceTitan's
// 10, 30, 60 and 300 s. Faults on demand: occurrences dropped (never sent), repeated (sent twice,
// same userassignedid, new id), reordered, or delayed.
//
// Sending needs a request to ride on (a Worker cannot do I/O on its own): `deliver()` sends what
// is due, and the simulator's worker calls it after every request it serves (in waitUntil), so
// under `pnpm start` first attempts leave with the write that caused them and retries with
// later traffic (the events watcher polls every few seconds). Tests call `deliver()` themselves.
//
// UNCONFIRMED upstream: the signature header's name and its encoding (hex here); both match
// what the events worker expects by default and are configurable on both sides.
import type { Clock, components, Invoice } from "@st-edge/servicetitan";
import { type Draw, mixSeed, mulberry32 } from "./random.ts";

type InvoiceEventModel = components["schemas"]["Accounting.V2.Webhook.InvoiceEventPayloadModel"];
type CloudEvent = components["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceUpdatedEventPayload"];

export interface WebhookFaults {
  /** Probability an occurrence is never sent at all. */
  drop?: number;
  /** Probability an occurrence is sent twice (same userassignedid, another id). */
  repeat?: number;
  /** Send what is due in a shuffled order. */
  reorder?: boolean;
  /** Hold every occurrence this long before its first attempt. */
  delayMs?: number;
}

/**
 * @example
 * createSimulator({ webhooks: { url: "http://127.0.0.1:8792/webhooks/servicetitan", key, faults: { repeat: 0.2 } } })
 */
export interface WebhookOptions {
  /** Where to POST; unset, nothing is sent. */
  url?: string;
  /** The app's HMAC key (ServiceTitan takes 32–64 characters). */
  key?: string;
  /** The header carrying the signature (default X-ServiceTitan-Signature). */
  signatureHeader?: string;
  /** Delays before each retry in seconds (default ServiceTitan's 10, 30, 60, 300). */
  retryDelaysSeconds?: number[];
  faults?: WebhookFaults;
  /** How requests leave (default the global fetch); tests hand it straight to a receiver. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface WebhookStats {
  /** Occurrences of invoice events (before faults). */
  occurrences: number;
  /** POSTs made, first attempts and retries. */
  attempts: number;
  /** Occurrences whose delivery got a 200. */
  delivered: number;
  /** Occurrences given up after the last retry. */
  abandoned: number;
  dropped: number;
  repeated: number;
  /** Attempts waiting (not yet due, or due and not yet sent). */
  pending: number;
}

interface Occurrence {
  userassignedid: string;
  type: string;
  time: string;
  tenantId: number;
  tenantName: string;
  invoice: InvoiceEventModel;
}

interface Attempt {
  occurrence: Occurrence;
  /** 1 for the first try. */
  number: number;
  dueAt: number;
}

/** The fields of an invoice the webhook payload model has (InvoiceResponse minus a few). */
function eventModel(invoice: Invoice): InvoiceEventModel {
  const {
    active: _active,
    customFields: _customFields,
    discountTotal: _discountTotal,
    exportId: _exportId,
    importId: _importId,
    invoiceConfiguration: _configuration,
    items: _items,
    materialSkuId: _materialSkuId,
    membershipId: _membershipId,
    paidOn: _paidOn,
    summary: _summary,
    ...model
  } = invoice;
  return model satisfies InvoiceEventModel;
}

const encoder = new TextEncoder();

async function hmacHex(key: string, body: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(body)));
  return [...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const SERVICETITAN_RETRIES_SECONDS = [10, 30, 60, 300];

/** The webhook sender of one simulator. */
export class WebhookSender {
  #options: WebhookOptions;
  readonly #clock: Clock;
  readonly #draw: Draw;
  #pending: Attempt[] = [];
  #stats: Omit<WebhookStats, "pending"> = emptyStats();

  constructor(options: WebhookOptions, clock: Clock, seed: number) {
    this.#options = { ...options };
    this.#clock = clock;
    this.#draw = mulberry32(mixSeed(seed, 0x3eb));
  }

  /** Settings from now on (an empty url turns sending off); what is pending stays. */
  configure(changes: WebhookOptions): void {
    this.#options = { ...this.#options, ...changes };
  }

  /** The settings, without the key. */
  settings() {
    const { key, fetch: _fetch, ...rest } = this.#options;
    return { ...rest, keySet: Boolean(key) };
  }

  stats(): WebhookStats {
    return { ...this.#stats, pending: this.#pending.length };
  }

  /** Forgets what is pending and the counters (the simulator's reset). */
  reset(): void {
    this.#pending = [];
    this.#stats = emptyStats();
  }

  /**
   * An invoice changed in the tenant's store (`previous` undefined: a write created it, such as an
   * adjustment invoice): its events become occurrences to send.
   */
  invoiceChanged(
    tenant: { tenantId: number; name: string },
    invoice: Invoice,
    previous: Invoice | undefined,
  ): void {
    if (!this.#options.url) return;
    const types = ["tn.acc.invoice-updated"];
    if (invoice.syncStatus !== previous?.syncStatus && invoice.syncStatus === "Posted")
      types.push("tn.acc.invoice-posted");
    if (invoice.syncStatus !== previous?.syncStatus && invoice.syncStatus === "Exported") {
      types.push("tn.acc.invoice-exported");
    }
    const now = this.#clock.now();
    const faults = this.#options.faults ?? {};
    for (const type of types) {
      this.#stats.occurrences++;
      if (faults.drop && this.#draw() < faults.drop) {
        this.#stats.dropped++;
        continue;
      }
      const occurrence: Occurrence = {
        userassignedid: crypto.randomUUID(),
        type,
        time: new Date(now).toISOString(),
        tenantId: tenant.tenantId,
        tenantName: tenant.name,
        invoice: eventModel(invoice),
      };
      const dueAt = now + (faults.delayMs ?? 0);
      this.#pending.push({ occurrence, number: 1, dueAt });
      if (faults.repeat && this.#draw() < faults.repeat) {
        this.#stats.repeated++;
        this.#pending.push({ occurrence, number: 1, dueAt });
      }
    }
  }

  /**
   * Sends every attempt that is due (in a shuffled order under the reorder fault). A 200 ends an
   * occurrence's delivery; anything else, or no answer, schedules the next retry.
   */
  async deliver(): Promise<void> {
    const { url, key } = this.#options;
    if (!url || !key) return;
    const now = this.#clock.now();
    const due = this.#pending.filter((attempt) => attempt.dueAt <= now);
    if (due.length === 0) return;
    this.#pending = this.#pending.filter((attempt) => attempt.dueAt > now);
    if (this.#options.faults?.reorder) {
      for (let i = due.length - 1; i > 0; i--) {
        const j = Math.floor(this.#draw() * (i + 1));
        [due[i], due[j]] = [due[j] as Attempt, due[i] as Attempt];
      }
    }
    for (const attempt of due) await this.#send(attempt, url, key);
  }

  async #send(attempt: Attempt, url: string, key: string): Promise<void> {
    const { occurrence } = attempt;
    const event = {
      specversion: "1.0",
      // A new id per delivery attempt, as ServiceTitan allows; userassignedid names the occurrence.
      id: crypto.randomUUID(),
      type: occurrence.type,
      time: occurrence.time,
      source: "https://webhooks.servicetitan.io",
      userassignedid: occurrence.userassignedid,
      datacontenttype: "application/json",
      data: { invoice: occurrence.invoice, tenantId: occurrence.tenantId, tenantName: occurrence.tenantName },
    } satisfies CloudEvent;
    const body = JSON.stringify(event);
    const send = this.#options.fetch ?? ((request: Request) => fetch(request));
    this.#stats.attempts++;
    let ok = false;
    try {
      const response = await send(
        new Request(url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            [this.#options.signatureHeader ?? "X-ServiceTitan-Signature"]: await hmacHex(key, body),
          },
          body,
        }),
      );
      await response.body?.cancel();
      ok = response.status === 200;
    } catch {
      ok = false;
    }
    if (ok) {
      this.#stats.delivered++;
      return;
    }
    const delays = this.#options.retryDelaysSeconds ?? SERVICETITAN_RETRIES_SECONDS;
    const delay = delays[attempt.number - 1];
    if (delay === undefined) {
      this.#stats.abandoned++;
      return;
    }
    this.#pending.push({ occurrence, number: attempt.number + 1, dueAt: this.#clock.now() + delay * 1000 });
  }
}

function emptyStats(): Omit<WebhookStats, "pending"> {
  return { occurrences: 0, attempts: 0, delivered: 0, abandoned: 0, dropped: 0, repeated: 0 };
}

/**
 * Webhook faults in a compact text form, for env vars: `drop=0.1,repeat=0.2,reorder,delay=500`.
 *
 * @example parseWebhookFaults("repeat=0.5,reorder") // { repeat: 0.5, reorder: true }
 */
export function parseWebhookFaults(text: string): WebhookFaults {
  const faults: WebhookFaults = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split("=").map((p) => p.trim());
    const number = Number(value);
    if (name === "reorder" && value === undefined) faults.reorder = true;
    else if ((name === "drop" || name === "repeat") && number >= 0 && number <= 1) faults[name] = number;
    else if (name === "delay" && Number.isInteger(number) && number >= 0) faults.delayMs = number;
    else
      throw new RangeError(
        `webhook fault '${part}' is not drop=<0..1>, repeat=<0..1>, reorder or delay=<ms>`,
      );
  }
  return faults;
}
