// n8n parameters in the model's words: required inputs are top-level parameters, optional ones
// sit in the Filters / Additional Fields collection, line items in a fixed collection.
import type { IDataObject, IExecuteFunctions, IPollFunctions } from "n8n-workflow";
import type { NodeOperation } from "./generated/model";

export function operationInput(
  ctx: IExecuteFunctions | IPollFunctions,
  op: NodeOperation,
  itemIndex: number,
  collection: string,
): Record<string, unknown> {
  const input: Record<string, unknown> = {
    ...(ctx.getNodeParameter(collection, itemIndex, {}) as IDataObject),
  };
  for (const field of op.fields) {
    if (field.children) {
      const rows = ctx.getNodeParameter(field.key, itemIndex, {}) as { split?: IDataObject[] };
      input[field.key] = rows.split ?? [];
    } else if (field.required) {
      input[field.key] = ctx.getNodeParameter(field.key, itemIndex);
    }
  }
  return input;
}
