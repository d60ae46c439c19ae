// Instant trigger on the events worker's REST hooks (POST /hooks, DELETE /hooks/{id}): one
// subscription per event, created when the workflow is activated (and again when the events
// worker no longer lists it), deleted when it stops. Deliveries have the poll routes' shape and
// per-version ids; with the credential's hook secret, each one's X-Signature is checked first.
// Without an events worker in the deployment's documents (`pnpm gen`), the node only says so.
import { createHmac } from "node:crypto";
import type {
  IDataObject,
  IHookFunctions,
  INodeType,
  INodeTypeDescription,
  IWebhookFunctions,
  IWebhookResponseData,
} from "n8n-workflow";
import { NodeConnectionTypes, NodeOperationError } from "n8n-workflow";
import { HOOKS, hookTriggerProperties, OPERATIONS } from "./generated/model";
import { firstVersions, verifySignature } from "./generated/runtime";
import { hooksExist, subscribeHooks, unsubscribeHooks } from "./hooks";
import { CREDENTIAL } from "./transport";

type HookState = { hookIds?: string[] };

function subscription(ctx: IHookFunctions) {
  const event = ctx.getNodeParameter("event", "") as string;
  const op = OPERATIONS.find((o) => o.kind === "trigger" && o.value === event);
  if (!HOOKS || !op || op.events.length === 0) {
    throw new NodeOperationError(ctx.getNode(), "This deployment offers no instant event for this trigger");
  }
  return { hooks: HOOKS, op };
}

export class ServiceTitanEdgeHookTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: "ServiceTitan Edge Instant Trigger",
    name: "serviceTitanEdgeHookTrigger",
    icon: { light: "file:servicetitan-edge.svg", dark: "file:servicetitan-edge.dark.svg" },
    group: ["trigger"],
    version: 1,
    subtitle: '={{$parameter["event"]}}',
    description: "Starts the workflow within seconds of a change, through the events worker's REST hooks",
    defaults: { name: "ServiceTitan Edge Instant Trigger" },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL, required: true }],
    webhooks: [{ name: "default", httpMethod: "POST", responseMode: "onReceived", path: "webhook" }],
    properties: hookTriggerProperties,
  };

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        const state = this.getWorkflowStaticData("node") as HookState;
        if (!HOOKS) return false;
        // Asked on the events worker, not only remembered: a removed hook is subscribed again.
        const targetUrl = this.getNodeWebhookUrl("default") as string;
        return hooksExist(this, HOOKS, state.hookIds ?? [], targetUrl);
      },
      async create(this: IHookFunctions): Promise<boolean> {
        const { hooks, op } = subscription(this);
        const targetUrl = this.getNodeWebhookUrl("default") as string;
        (this.getWorkflowStaticData("node") as HookState).hookIds = await subscribeHooks(
          this,
          hooks,
          op.events,
          targetUrl,
        );
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        const state = this.getWorkflowStaticData("node") as HookState;
        if (HOOKS) await unsubscribeHooks(this, HOOKS, state.hookIds ?? []);
        delete state.hookIds;
        return true;
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const credentials = await this.getCredentials(CREDENTIAL);
    const secret = typeof credentials.hookSecret === "string" ? credentials.hookSecret : "";
    const request = this.getRequestObject() as unknown as {
      rawBody?: Buffer;
      headers: Record<string, string>;
    };
    if (secret !== "") {
      const valid = verifySignature(
        {
          header: request.headers["x-signature"],
          body: request.rawBody?.toString("utf8") ?? "",
          secret,
          now: Date.now(),
        },
        (key, text) => createHmac("sha256", key).update(text, "utf8").digest("hex"),
      );
      if (!valid) {
        // Not from this deployment (or replayed late): refuse it, start nothing.
        this.getResponseObject().status(401).json({ error: "invalid or stale X-Signature" });
        return { noWebhookResponse: true };
      }
    }
    const event = this.getNodeParameter("event", "") as string;
    const op = OPERATIONS.find((o) => o.kind === "trigger" && o.value === event);
    const item = this.getBodyData() as Record<string, unknown>;
    const items =
      op?.transform === "firstVersion"
        ? firstVersions([item], {
            recordIdField: op.recordIdField ?? "id",
            now: Date.now(),
            windowHours: 24 * 365,
          })
        : [item];
    return { workflowData: [this.helpers.returnJsonArray(items as IDataObject[])] };
  }
}
