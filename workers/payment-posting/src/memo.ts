// A payment's memo as ServiceTitan stores it: the caller's memo, then our marker (see
// @st-edge/exactly-once marker.ts; imported by its subpath, which route definitions can load
// at build time without the Durable Objects). `memo` is where the marker goes because GET /payments returns
// it (reconciliation searches it) and accountants read it (a payment can be traced back to the
// automation run that posted it); `exportId` is not returned by GET /payments, and custom fields
// would need per-tenant setup.
//
// Lengths are counted in UTF-16 code units, as .NET (ServiceTitan) counts a string's length: an
// emoji is two. The 255 limit itself is UNCONFIRMED and kept conservative.
import { MARKER_LENGTH, withMarker } from "@st-edge/exactly-once/marker";

/** Assumed ServiceTitan memo limit, in UTF-16 code units (UNCONFIRMED). */
export const MAX_MEMO = 255;
/** The caller's share of the memo: the marker and one space go after it. */
export const MAX_CALLER_MEMO = MAX_MEMO - MARKER_LENGTH - 1;

/** The memo sent to ServiceTitan: the caller's memo intact, then the marker. */
export const memoWithMarker = (memo: string | null, marker: string): string => withMarker(memo, marker);

// Splitting a stored memo again is what every payment view does: it lives with the views.
export { splitMemo } from "@st-edge/views/payment";
