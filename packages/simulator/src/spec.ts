// The effective Accounting v2 document, loaded at run time: parameter parsing and request-body
// validation read the operation's own declaration, so the simulator rejects exactly what the
// spec says is malformed and stays in step when the spec is regenerated.
import document from "../../../specs/servicetitan/accounting-v2.effective.json" with { type: "json" };

/** The part of JSON Schema the accounting document uses. */
export interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: (string | number)[];
  oneOf?: SchemaObject[];
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  maxProperties?: number;
  maxLength?: number;
}

export interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaObject;
}

export interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: SchemaObject }> }>;
}

interface AccountingDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, SchemaObject> };
}

/** The whole document (the contract test hands it to a JSON Schema validator). */
export const accountingDocument: AccountingDocument = document;

export interface SpecOperation {
  operationId: string;
  method: string;
  /** The spec's path, e.g. `/tenant/{tenant}/invoices`. */
  path: string;
  operation: OperationObject;
}

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete"]);

export const specOperations: SpecOperation[] = Object.entries(accountingDocument.paths).flatMap(
  ([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => ({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        operation,
      })),
);

const byId = new Map(specOperations.map((op) => [op.operationId, op]));

export function specOperation(operationId: string): SpecOperation {
  const op = byId.get(operationId);
  if (!op) throw new Error(`operation ${operationId} is not in the accounting spec`);
  return op;
}

/** Follows `$ref` and the spec's `oneOf: [{$ref}]` / `oneOf: [{$ref}, {type: null}]` wrappers. */
export function resolveSchema(schema: SchemaObject): SchemaObject {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = accountingDocument.components.schemas[name];
    if (!target) throw new Error(`unresolved schema ${schema.$ref}`);
    return resolveSchema(target);
  }
  const variants = schema.oneOf?.filter((variant) => variant.type !== "null");
  const only = variants?.[0];
  if (variants?.length === 1 && only) return resolveSchema(only);
  return schema;
}

export const componentSchema = (name: string): SchemaObject =>
  resolveSchema({ $ref: `#/components/schemas/${name}` });
