/** A capability worker's default export, called as the runtime calls it. */
interface CapabilityWorker {
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response>;
}

export declare const bills: CapabilityWorker;
export declare const invoiceAdjustments: CapabilityWorker;
export declare const invoiceChanges: CapabilityWorker;
export declare const invoiceLookup: CapabilityWorker;
/** invoice-changes' Durable Object class (the versions invoices had when marked exported). */
export declare const ExportMarks: new (state: DurableObjectState, env: object) => object;
export declare const paymentPosting: CapabilityWorker;
export declare const paymentTerms: CapabilityWorker;
export declare const taxZones: CapabilityWorker;
