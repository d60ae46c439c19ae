// The ServiceTitan Edge node: every search and create of the workers' OpenAPI documents, by
// resource and operation (generated into ./generated/model.ts by `pnpm gen`).
import type {
  IDataObject,
  IExecuteFunctions,
  ILoadOptionsFunctions,
  INodeExecutionData,
  INodePropertyOptions,
  INodeType,
  INodeTypeDescription,
} from "n8n-workflow";
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from "n8n-workflow";
import { DROPDOWNS, nodeProperties, OPERATIONS } from "./generated/model";
import type { PreparedRequest } from "./generated/runtime";
import { InputError, matchLocal, prepareRequest, resultsOf } from "./generated/runtime";
import { operationInput } from "./inputs";
import { CREDENTIAL, callWorker } from "./transport";

/** Dropdown choices from a list operation (tax zones, payment terms; payment types once listed). */
async function choices(ctx: ILoadOptionsFunctions, method: string): Promise<INodePropertyOptions[]> {
  const dropdown = DROPDOWNS[method];
  const op = OPERATIONS.find((o) => o.key === dropdown?.operationKey);
  if (!dropdown || !op) return [];
  const { body } = await callWorker(ctx, op, prepareRequest(op, {}));
  return resultsOf(op, body).map((record) => ({
    name: String(record[dropdown.label]),
    value: record[dropdown.value] as string | number,
  }));
}

export class ServiceTitanEdge implements INodeType {
  description: INodeTypeDescription = {
    displayName: "ServiceTitan Edge",
    name: "serviceTitanEdge",
    icon: { light: "file:servicetitan-edge.svg", dark: "file:servicetitan-edge.dark.svg" },
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
    description:
      "Find invoices, payments, tax zones, payment terms and bills, and post payments exactly once",
    defaults: { name: "ServiceTitan Edge" },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL, required: true }],
    properties: nodeProperties,
  };

  methods = {
    loadOptions: {
      async taxZones(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return choices(this, "taxZones");
      },
      async paymentTerms(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return choices(this, "paymentTerms");
      },
      async paymentTypeIds(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return choices(this, "paymentTypeIds");
      },
      async paymentTypeNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return choices(this, "paymentTypeNames");
      },
    },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const out: INodeExecutionData[] = [];
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        const resource = this.getNodeParameter("resource", itemIndex) as string;
        const operation = this.getNodeParameter("operation", itemIndex) as string;
        const op = OPERATIONS.find((o) => o.resourceValue === resource && o.value === operation);
        if (!op)
          throw new NodeOperationError(this.getNode(), `Unknown operation ${resource}/${operation}`, {
            itemIndex,
          });
        const collection = op.kind === "search" ? "filters" : "additionalFields";
        const input = operationInput(this, op, itemIndex, collection);
        let request: PreparedRequest;
        try {
          request = prepareRequest(op, input);
        } catch (error) {
          const message = error instanceof InputError ? error.message : String(error);
          throw new NodeOperationError(this.getNode(), message, { itemIndex });
        }
        const answer = await callWorker(this, op, request, {
          itemIndex,
          reference: input.idempotencyKey,
          // Retry On Fail repeats the node in the same execution; retrying a failed execution runs
          // a new one (a new execution id) with the same items. The operation, the item's position
          // and its exact body are what stay the same: two identical items of one run are two
          // payments, the same item run again is one. The workflow is left out so a copy of it
          // handling the same payment replays instead of posting twice.
          scope: ["n8n", op.key, itemIndex],
          // A search that finds nothing outputs no item; a create on an unknown record is refused.
          notFound: op.kind === "create" ? "error" : "empty",
        });
        if (answer.body === undefined && answer.status === 404) continue;
        const records =
          op.kind === "search"
            ? matchLocal(op, resultsOf(op, answer.body), input)
            : [answer.body as IDataObject];
        for (const record of records) {
          const json = op.idempotent
            ? { ...(record as IDataObject), idempotentReplayed: answer.replayed }
            : record;
          out.push({ json: json as IDataObject, pairedItem: { item: itemIndex } });
        }
      } catch (error) {
        if (this.continueOnFail()) {
          out.push({
            json: { error: (error as Error).message, ...problemOf(error) },
            pairedItem: { item: itemIndex },
          });
          continue;
        }
        // Our problems are NodeApiErrors already; anything else gets the item it failed on.
        throw error instanceof NodeApiError || error instanceof NodeOperationError
          ? error
          : new NodeOperationError(this.getNode(), error as Error, { itemIndex });
      }
    }
    return [out];
  }
}

/** The problem's members, for an item that continues after a failure. */
function problemOf(error: unknown): IDataObject {
  const context = (error as { errorResponse?: IDataObject; httpCode?: string | null }) ?? {};
  const problem = context.errorResponse ?? {};
  return {
    ...(context.httpCode ? { httpCode: context.httpCode } : {}),
    ...(typeof problem.type === "string" ? { type: problem.type } : {}),
    ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
    ...(typeof problem.requestId === "string" ? { requestId: problem.requestId } : {}),
  };
}
