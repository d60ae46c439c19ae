// Invoice custom fields: the tenant's types (Invoices_GetCustomFieldTypes, every page) and setting
// values on one invoice (Invoices_UpdateCustomFields). Values are checked against the types before
// anything is sent, so a typo in a field name or a Dropdown value is a 422 that names it, not a
// field silently created or ignored.
import { type FieldError, ProblemError } from "@st-edge/edge";
import {
  allPages,
  type components,
  type Invoice,
  type ServiceTitanClient,
  unwrap,
} from "@st-edge/servicetitan";
import type { CustomFieldsInput } from "./api.ts";
import type { Change } from "./context.ts";
import { currentInvoice, refusalOf, unknownOutcome } from "./invoices.ts";

export type CustomFieldType = components["schemas"]["Accounting.V2.CustomFieldTypeResponse"];

/** Every invoice custom field type of the tenant. */
export async function customFieldTypes(client: ServiceTitanClient): Promise<CustomFieldType[]> {
  const types: CustomFieldType[] = [];
  const pages = allPages(async (page) =>
    unwrap(
      await client.GET("/tenant/{tenant}/invoices/custom-fields", {
        params: { query: { page, pageSize: 500 } },
      }),
    ),
  );
  for await (const type of pages) types.push(type);
  return types;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The fields as ServiceTitan should get them (names and Dropdown values spelled as the types spell
 * them), or a 422 listing every field that does not fit. Matching ignores letter case (UNCONFIRMED
 * how ServiceTitan compares).
 */
export function checkCustomFields(
  fields: CustomFieldsInput["customFields"],
  types: readonly CustomFieldType[],
): { name: string; value: string | null }[] {
  const errors: FieldError[] = [];
  const at = (index: number, part: string) => `customFields.${index}.${part}`;
  const checked = fields.map((field, index) => {
    const type = types.find((candidate) => candidate.name.toLowerCase() === field.name.trim().toLowerCase());
    if (!type) {
      errors.push({
        in: "body",
        field: at(index, "name"),
        message: `no invoice custom field is named "${field.name}"`,
      });
      return { name: field.name, value: field.value };
    }
    const value = field.value === null ? null : field.value.trim();
    if (value !== null && type.dataType === "Dropdown") {
      const option = (type.dataTypeOptions ?? []).find(
        (candidate) => candidate.toLowerCase() === value.toLowerCase(),
      );
      if (!option)
        errors.push({
          in: "body",
          field: at(index, "value"),
          message: `must be one of ${(type.dataTypeOptions ?? []).join(", ")}`,
        });
      return { name: type.name, value: option ?? value };
    }
    if (value !== null && type.dataType === "Numeric" && !NUMBER.test(value))
      errors.push({ in: "body", field: at(index, "value"), message: "must be a number such as 12 or 12.5" });
    return { name: type.name, value };
  });
  const names = checked.map((field) => field.name.toLowerCase());
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index)
      errors.push({ in: "body", field: at(index, "name"), message: "names a field already given" });
  });
  if (errors.length > 0)
    throw new ProblemError({
      type: "unprocessable",
      detail: "Some custom fields do not fit this tenant's invoice custom field types",
      errors,
    });
  return checked;
}

/**
 * Sets the fields on invoice `id` and answers the invoice as ServiceTitan then holds it.
 *
 * @example const after = await setCustomFields(change, 11000041, { customFields: [{ name: "PO Number", value: "PO-7" }] });
 */
export async function setCustomFields(
  change: Change,
  id: number,
  input: CustomFieldsInput,
): Promise<Invoice> {
  const { client } = change.tenant;
  const [types] = await Promise.all([customFieldTypes(client), currentInvoice(client, id)]);
  const customFields = checkCustomFields(input.customFields, types);
  try {
    await client.PATCH("/tenant/{tenant}/invoices/custom-fields", {
      body: { operations: [{ objectId: id, customFields }] },
    });
  } catch (error) {
    throw unknownOutcome(refusalOf(error, id, "fields"), id);
  }
  return currentInvoice(client, id);
}
