// What a payment and a read cost at Cloudflare's published Workers Paid prices, beyond the plan's
// included usage (the $5 a month and its allotments are left out: the marginal cost). Counts come
// from the Server-Timing profile (bench/payments.mjs), CPU from the in-process rows
// (bench/cpu-overhead.mjs: our code alone, a lower bound) and, beside it, from workerd's thread
// (bench/workerd-cpu.mjs, the objects' share taken out: an upper bound, since locally that thread
// also runs the runtime's own routing). Durable Object duration and storage rows are not counted (the objects
// answer in milliseconds and store one small record per key or invoice).
export const PRICES = {
  /** USD per million. */
  workerRequest: 0.3,
  cpuMs: 0.02,
  durableObjectRequest: 0.15,
  kvRead: 0.5,
  kvWrite: 5,
  /** A queue message is 3 operations (write, read, delete) of ≤ 64 KB each. */
  queueOperation: 0.4,
  source: [
    "https://developers.cloudflare.com/workers/platform/pricing/",
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/kv/platform/pricing/",
    "https://developers.cloudflare.com/queues/platform/pricing/",
  ],
};

/** USD for `n` requests of one kind, given its per-request counts and CPU ms. */
function costOf(counts, cpuMs, n) {
  const perMillion =
    PRICES.workerRequest +
    cpuMs * PRICES.cpuMs +
    counts.durableObject * PRICES.durableObjectRequest +
    counts.kvRead * PRICES.kvRead +
    counts.kvWrite * PRICES.kvWrite +
    counts.queue * 3 * PRICES.queueOperation;
  return (perMillion * n) / 1e6;
}

/**
 * @example costs(profile.calls, results.cpuOverhead, results.paymentCpu)
 *   → [{ what: "10,000 payments", usd: 0.0142, … }, { what: "1,000,000 invoice reads", … }]
 */
export function costs(calls, readCpu, paymentCpu, workerdCpu = []) {
  const paymentCpuMs = Math.max(0, paymentCpu?.workerOwnP50 ?? 0);
  const readCpuMs = Math.max(0, readCpu?.addedP50 ?? 0);
  const threadCpuMs = (call) => {
    const row = workerdCpu.find((r) => r.call === call);
    return row ? row.cpuMs * (1 - row.objectsShare) : undefined;
  };
  const row = (what, counts, cpuMs, threadMs, n) => ({
    what,
    workerRequests: n,
    cpuMsEach: +cpuMs.toFixed(3),
    durableObjectRequests: counts.durableObject * n,
    kvReads: counts.kvRead * n,
    kvWrites: counts.kvWrite * n,
    queueMessages: counts.queue * n,
    usd: +costOf(counts, cpuMs, n).toFixed(4),
    workerdCpuMsEach: threadMs === undefined ? "" : +threadMs.toFixed(3),
    usdAtWorkerdCpu: threadMs === undefined ? "" : +costOf(counts, threadMs, n).toFixed(4),
  });
  return [
    row("10,000 payments", calls.payment, paymentCpuMs, threadCpuMs("payment"), 10_000),
    row("10,000 replays", calls.replay, paymentCpuMs, undefined, 10_000),
    row("1,000,000 invoice reads", calls.invoiceRead, readCpuMs, threadCpuMs("invoice read"), 1_000_000),
  ];
}
