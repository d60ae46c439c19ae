// Time and exactly-once: every byte of a create is sent inside the window its attempt records, so
// a same-key retry that takes over can never race a create still in flight; and a create cut off
// by the request's budget is settled on the retry.
import { expectProblem } from "@st-edge/edge/testing";
import { markerFor } from "@st-edge/exactly-once";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  apiPaymentsOn,
  faultyEnv,
  freshKey,
  invoicePicker,
  isCreate,
  post,
  TENANT,
  testEnv,
} from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim);
const isTokenRequest = (request: Request) => new URL(request.url).pathname === "/connect/token";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("one Idempotency-Key, one payment, however slow the token endpoint", () => {
  it("a 401 on the create, a throttled token re-request and a slow re-sent create: a same-key retry after the lease still makes one payment", {
    timeout: 60_000,
  }, async () => {
    // The reported reproduction: the first create is refused 401; re-signing it needs a new
    // token, whose request is throttled for 10 s; the re-sent create then takes 2.5 s.
    let creates = 0;
    let tokens = 0;
    const e = await faultyEnv(
      sim,
      (request) => {
        if (isCreate(request))
          return ++creates === 1 ? "status=401" : creates === 2 ? "latency=2500" : undefined;
        if (isTokenRequest(request)) return ++tokens === 2 ? "status=429;retry-after=10" : undefined;
        return undefined;
      },
      { ST_TIMEOUT_MS: "3000", RECONCILE_WAIT_MS: "200" },
    );
    const invoice = nextInvoice();
    const key = freshKey("slow-token");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "3.21" };
    const first = post(e, key, body);
    // The retry arrives after the old lease (about 11 s) would have run out.
    await sleep(11_500);
    const second = await post(e, key, body);
    const answers = [await first, second];
    expect(answers.map((answer) => answer.status)).toContain(201);
    const marker = await markerFor(TENANT, key);
    const ours = apiPaymentsOn(sim, invoice.id).filter((payment) => payment.memo?.includes(marker));
    expect(ours).toHaveLength(1);
  });
});

describe("the request budget", () => {
  it("a create cut off by the budget answers 503 within it, and the retry settles it into one payment", async () => {
    const hanging = await faultyEnv(sim, (request) => (isCreate(request) ? "hang" : undefined), {
      REQUEST_BUDGET_MS: "3000",
      ST_TIMEOUT_MS: "30000",
      RECONCILE_WAIT_MS: "2000",
    });
    const invoice = nextInvoice();
    const key = freshKey("budget");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "4.56" };
    const started = Date.now();
    const cut = await post(hanging, key, body);
    // Bounded by the 3 s budget, not by the 30 s per-call timeout.
    expect(Date.now() - started).toBeLessThan(6_000);
    await expectProblem(cut, 503, "payment-outcome-unknown");
    expect(cut.headers.get("Retry-After")).not.toBeNull();
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);

    const retried = await post(await testEnv(sim, { RECONCILE_WAIT_MS: "2000" }), key, body);
    expect(retried.status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });
});

describe("a create that fails fast", () => {
  it("is settled from when its call returned, not from the end of its send window", async () => {
    // A 30 s per-call timeout makes the send window most of the budget; the 503 comes back at once.
    const e = await faultyEnv(sim, (request) => (isCreate(request) ? "status=503" : undefined), {
      ST_TIMEOUT_MS: "30000",
      RECONCILE_WAIT_MS: "200",
    });
    const invoice = nextInvoice();
    const key = freshKey("fast-503");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.23" };
    // Settled in this request: provably absent, so a plain retry posts (not "outcome unknown").
    const started = Date.now();
    await expectProblem(await post(e, key, body), 503, "upstream-unavailable");
    // Within the read-after-write wait of the 503, far from the ~24 s send window's end.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await post(await testEnv(sim), key, body)).status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });
});
