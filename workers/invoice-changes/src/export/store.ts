// The Durable Object that remembers, per (environment, tenant), the version each invoice had when
// it was marked exported through this service: the line between "the mark itself" and "an edit
// after it" that ServiceTitan's reads cannot draw (an invoice response says it is Exported, not
// since when). SQLite storage: one row per invoice, replaced by each new mark.
import { DurableObject } from "cloudflare:workers";

export interface ExportMark {
  invoiceId: number;
  /** The invoice's modifiedOn right after the mark (as ServiceTitan wrote it). */
  version: string;
  /** The externalId it was marked with. */
  externalId: string | null;
}

export class ExportMarks extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS marks (invoice_id INTEGER PRIMARY KEY, version TEXT NOT NULL, external_id TEXT, marked_at INTEGER NOT NULL)",
    );
  }

  /** Records marks (a newer mark of an invoice replaces the older). */
  async record(marks: readonly ExportMark[]): Promise<void> {
    const now = Date.now();
    for (const mark of marks) {
      this.ctx.storage.sql.exec(
        "INSERT INTO marks (invoice_id, version, external_id, marked_at) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT (invoice_id) DO UPDATE SET version = excluded.version, external_id = excluded.external_id, marked_at = excluded.marked_at",
        mark.invoiceId,
        mark.version,
        mark.externalId,
        now,
      );
    }
  }

  /** The marks of these invoices (those never marked through this service are absent). */
  async marksOf(invoiceIds: readonly number[]): Promise<ExportMark[]> {
    if (invoiceIds.length === 0) return [];
    const rows = this.ctx.storage.sql
      .exec<{ invoice_id: number; version: string; external_id: string | null }>(
        `SELECT invoice_id, version, external_id FROM marks WHERE invoice_id IN (${invoiceIds.map(() => "?").join(",")})`,
        ...invoiceIds,
      )
      .toArray();
    return rows.map((row) => ({
      invoiceId: row.invoice_id,
      version: row.version,
      externalId: row.external_id,
    }));
  }
}

/** The tenant's marks. */
export const exportMarksOf = (namespace: DurableObjectNamespace<ExportMarks>, scope: string) =>
  namespace.get(namespace.idFromName(`${scope}:export-marks`));
