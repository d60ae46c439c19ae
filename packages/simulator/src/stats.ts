// Counters tests assert on: token requests (total and per client id), calls per operationId and
// faults served per kind. They prove a consumer cached its token, retried the right number of
// times, or never called at all.

/**
 * What `stats()` and `GET /__sim/stats` report.
 *
 * @example
 * { tokenRequests: { total: 2, byClient: { "demo-client": 2 } }, calls: { Invoices_GetList: 3 }, faults: { "status:503": 1 } }
 */
export interface SimulatorStats {
  tokenRequests: { total: number; byClient: Record<string, number> };
  calls: Record<string, number>;
  faults: Record<string, number>;
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Counts as requests arrive; `snapshot()` copies for callers. */
export class StatsRecorder {
  #stats: SimulatorStats = StatsRecorder.#empty();

  static #empty(): SimulatorStats {
    return { tokenRequests: { total: 0, byClient: {} }, calls: {}, faults: {} };
  }

  /** Every request to /connect/token, whatever its outcome; no client id counts under "". */
  tokenRequest(clientId: string): void {
    this.#stats.tokenRequests.total++;
    bump(this.#stats.tokenRequests.byClient, clientId);
  }

  /** Every request routed to an operation, before auth or faults decide its answer. */
  call(operationId: string): void {
    bump(this.#stats.calls, operationId);
  }

  fault(kind: string): void {
    bump(this.#stats.faults, kind);
  }

  /** A copy, so callers can keep it as a "before" snapshot. */
  snapshot(): SimulatorStats {
    return structuredClone(this.#stats);
  }

  reset(): void {
    this.#stats = StatsRecorder.#empty();
  }
}
