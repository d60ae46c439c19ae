// Polling trigger: each poll route of the workers (new or updated invoices, payments, bills),
// remembering the per-version ids it has seen so each version starts the workflow once.
import type {
  IDataObject,
  INodeExecutionData,
  INodeType,
  INodeTypeDescription,
  IPollFunctions,
} from "n8n-workflow";
import { NodeConnectionTypes, NodeOperationError } from "n8n-workflow";
import { OPERATIONS, triggerProperties } from "./generated/model";
import { firstVersions, prepareRequest, resultsOf } from "./generated/runtime";
import { CREDENTIAL, callWorker } from "./transport";

/** How many seen ids a trigger keeps: far more than one poll answers (100), bounded. */
const SEEN_LIMIT = 2000;

export class ServiceTitanEdgeTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: "ServiceTitan Edge Trigger",
    name: "serviceTitanEdgeTrigger",
    icon: { light: "file:servicetitan-edge.svg", dark: "file:servicetitan-edge.dark.svg" },
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["event"]}}',
    description: "Starts the workflow when an invoice, payment or bill is created or changes (polling)",
    defaults: { name: "ServiceTitan Edge Trigger" },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL, required: true }],
    properties: triggerProperties,
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const event = this.getNodeParameter("event") as string;
    const op = OPERATIONS.find((o) => o.kind === "trigger" && o.value === event);
    if (!op) throw new NodeOperationError(this.getNode(), `Unknown event ${event}`);
    const filters = this.getNodeParameter("filters", {}) as IDataObject;
    const { body } = await callWorker(this, op, prepareRequest(op, filters));
    const polled = resultsOf(op, body);
    const items =
      op.transform === "firstVersion"
        ? firstVersions(polled, { recordIdField: op.recordIdField ?? "id", now: Date.now() })
        : polled;
    if (this.getMode() === "manual") {
      return items.length > 0 ? [this.helpers.returnJsonArray(items.slice(0, 1) as IDataObject[])] : null;
    }
    const state = this.getWorkflowStaticData("node") as { seen?: string[] };
    const ids = items.map((item) => String(item.id));
    if (state.seen === undefined) {
      // First poll after activation: remember what exists, start nothing (as Zapier does).
      state.seen = ids.slice(0, SEEN_LIMIT);
      return null;
    }
    const seen = new Set(state.seen);
    const fresh = items.filter((item) => !seen.has(String(item.id)));
    state.seen = [...ids, ...state.seen.filter((id) => !ids.includes(id))].slice(0, SEEN_LIMIT);
    // Polls answer newest first; the workflow gets them oldest first, in the order they happened.
    return fresh.length > 0 ? [this.helpers.returnJsonArray(fresh.reverse() as IDataObject[])] : null;
  }
}
