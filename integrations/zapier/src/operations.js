// Turns the generated model (src/generated/model.js) into Zapier triggers, searches and creates.
// Judgement that is Zapier's alone lives here: input field shapes, the hidden dropdown triggers,
// search-or-create pairs, and how a REST hook subscribes.

import { authHeaders, callWorker, deploymentUrls, failWith, send } from "./call.js";
import { DROPDOWNS, HOOKS, OPERATIONS } from "./generated/model.js";
import {
  firstVersions,
  InputError,
  matchesFilters,
  matchLocal,
  prepareRequest,
  resultsOf,
  workerUrl,
} from "./generated/runtime.js";

/** @typedef {import("zapier-platform-core").ZObject} ZObject */
/** @typedef {import("zapier-platform-core").Bundle} Bundle */
/** @typedef {import("./generated/runtime.js").OperationSpec} OperationSpec */
/** @typedef {import("./generated/runtime.js").FieldSpec} FieldSpec */

/** Zapier's search-or-create pairs ("Find or Post Payment"). */
const SEARCH_OR_CREATES = [
  {
    search: "find_payment",
    create: "post_payment",
    label: "Find or Post Payment",
    description:
      "Finds a payment on the invoice (by check number, authorization code or amount) and posts it when there is none.",
  },
];

const dropdownKey = (/** @type {string} */ key) => `dropdown_${key}`;

// Line-item keys must be unique in the whole action (a split's `amount` beside the payment's).
const childKey = (/** @type {FieldSpec} */ parent, /** @type {FieldSpec} */ child) =>
  `${parent.key}_${child.key}`;

/** @param {FieldSpec} field @returns {Record<string, unknown>} */
function inputField(field) {
  const dropdown = DROPDOWNS.find((d) => d.key === field.dropdown);
  if (field.children) {
    // Zapier shows line items as a group; the group itself takes no help text.
    const children = field.children.map((child) => ({ ...inputField(child), key: childKey(field, child) }));
    return { key: field.key, label: field.label, required: field.required, children };
  }
  return {
    key: field.key,
    label: field.label,
    required: field.required,
    ...(field.help ? { helpText: field.help } : {}),
    ...(field.placeholder ? { placeholder: field.placeholder } : {}),
    ...{
      type: field.type === "text" ? "text" : field.type,
      ...(field.list ? { list: true } : {}),
      ...(field.choices
        ? { choices: field.choices.map((c) => ({ value: c.value, label: c.label, sample: c.value })) }
        : {}),
      ...(dropdown ? { dynamic: `${dropdownKey(dropdown.key)}.${dropdown.value}.${dropdown.label}` } : {}),
    },
  };
}

/**
 * Zapier's inputs in the model's words: line items come back under their prefixed keys.
 *
 * @param {OperationSpec} op
 * @param {Record<string, unknown>} input
 */
function modelInput(op, input) {
  const out = { ...input };
  for (const field of op.fields) {
    if (!field.children || !Array.isArray(input[field.key])) continue;
    out[field.key] = /** @type {Record<string, unknown>[]} */ (input[field.key]).map((row) =>
      Object.fromEntries((field.children ?? []).map((child) => [child.key, row?.[childKey(field, child)]])),
    );
  }
  return out;
}

/**
 * @param {ZObject} z
 * @param {OperationSpec} op
 * @param {Record<string, unknown>} input
 */
function prepare(z, op, input) {
  try {
    return prepareRequest(op, modelInput(op, input));
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.HaltedError(error.message);
    throw error;
  }
}

/** @param {OperationSpec} op */
const display = (op) => ({
  label: op.label,
  description: op.description,
  ...(op.hidden ? { hidden: true } : {}),
});

/** @param {OperationSpec} op */
function pollPerform(op) {
  /** @param {ZObject} z @param {Bundle} bundle */
  return async (z, bundle) => {
    const { body } = await callWorker(z, bundle, op, prepare(z, op, bundle.inputData));
    const items = resultsOf(op, body);
    return op.transform === "firstVersion"
      ? firstVersions(items, { recordIdField: op.recordIdField ?? "id", now: Date.now() })
      : items;
  };
}

/**
 * A REST hook trigger: one subscription per event on the events worker; Zapier keeps the ids.
 * The poll route is its performList, so sample data and Zapier's de-duplication see the very items
 * a delivery carries (same shape, same per-version id).
 *
 * @param {OperationSpec} op
 * @param {NonNullable<typeof HOOKS>} hooks
 */
function hookMethods(op, hooks) {
  /** @param {ZObject} z @param {Bundle} bundle */
  const base = (z, bundle) => {
    try {
      return workerUrl(deploymentUrls(bundle.authData), hooks.worker);
    } catch (error) {
      if (error instanceof InputError) throw new z.errors.HaltedError(error.message);
      throw error;
    }
  };
  return {
    type: "hook",
    /** @param {ZObject} z @param {Bundle} bundle */
    performSubscribe: async (z, bundle) => {
      const ids = [];
      for (const event of op.events) {
        const url = `${base(z, bundle)}${hooks.subscribePath}`;
        const response = await send(z, {
          url,
          method: "POST",
          headers: { ...authHeaders(bundle.authData), "Content-Type": "application/json" },
          body: JSON.stringify({ event, targetUrl: bundle.targetUrl }),
        });
        // 200: this event already goes to this URL (a subscribe Zapier retried); its id is the same.
        if (response.status !== 201 && response.status !== 200)
          throw new z.errors.HaltedError(failWith(z, response, url));
        ids.push(String(JSON.parse(response.content).id));
      }
      return { id: ids.join(","), ids };
    },
    /** @param {ZObject} z @param {Bundle} bundle */
    performUnsubscribe: async (z, bundle) => {
      const ids = String(bundle.subscribeData?.id ?? "")
        .split(",")
        .filter(Boolean);
      for (const id of ids) {
        const url = `${base(z, bundle)}${hooks.unsubscribePath.replace("{id}", encodeURIComponent(id))}`;
        const response = await send(z, { url, method: "DELETE", headers: authHeaders(bundle.authData) });
        // Already gone (a 410 from the target unsubscribed it) is what unsubscribing wants.
        if (response.status !== 204 && response.status !== 404) failWith(z, response, url);
      }
      return { ids };
    },
    // A delivery is one item in the poll route's shape, with its per-version id; the trigger's
    // filters (the poll route applies them on the server) are applied to it here.
    /** @param {ZObject} _z @param {Bundle} bundle */
    perform: (_z, bundle) => {
      const item = /** @type {Record<string, unknown>} */ (bundle.cleanedRequest);
      if (!matchesFilters(op, item, bundle.inputData ?? {})) return [];
      return op.transform === "firstVersion"
        ? firstVersions([item], {
            recordIdField: op.recordIdField ?? "id",
            now: Date.now(),
            windowHours: 24 * 365,
          })
        : [item];
    },
    performList: pollPerform(op),
  };
}

/** @param {OperationSpec} op */
function trigger(op) {
  const instant = HOOKS !== null && op.events.length > 0;
  const methods = HOOKS !== null && instant ? hookMethods(op, HOOKS) : { perform: pollPerform(op) };
  // An instant trigger offers only the filters a delivery can be matched on.
  const fields = instant ? op.fields.filter((f) => f.item) : op.fields;
  return {
    key: op.key,
    noun: op.noun,
    display: display(op),
    operation: { ...methods, inputFields: fields.map(inputField), sample: op.sample },
  };
}

/** @param {OperationSpec} op */
function search(op) {
  return {
    key: op.key,
    noun: op.noun,
    display: display(op),
    operation: {
      inputFields: op.fields.map(inputField),
      sample: op.sample,
      /** @param {ZObject} z @param {Bundle} bundle */
      perform: async (z, bundle) => {
        const { body, notFound } = await callWorker(z, bundle, op, prepare(z, op, bundle.inputData));
        if (notFound) return [];
        return matchLocal(op, resultsOf(op, body), bundle.inputData);
      },
    },
  };
}

/** @param {OperationSpec} op */
function create(op) {
  return {
    key: op.key,
    noun: op.noun,
    display: display(op),
    operation: {
      inputFields: op.fields.map(inputField),
      sample: op.sample,
      /** @param {ZObject} z @param {Bundle} bundle */
      perform: async (z, bundle) => {
        const { body, replayed } = await callWorker(z, bundle, op, prepare(z, op, bundle.inputData));
        const record =
          body !== null && typeof body === "object" && !Array.isArray(body) ? body : { result: body };
        return op.idempotent ? { ...record, idempotentReplayed: replayed } : record;
      },
    },
  };
}

/** A hidden trigger per dynamic dropdown: `{ id, name }` choices from a list operation. */
function dropdownTriggers() {
  return DROPDOWNS.map((d) => {
    const op = OPERATIONS.find((o) => o.key === d.operationKey);
    if (!op) throw new Error(`dropdown ${d.key}: no operation ${d.operationKey}`);
    return {
      key: dropdownKey(d.key),
      noun: op.noun,
      display: { label: `${op.noun} choices`, description: `Choices for ${op.noun} inputs.`, hidden: true },
      operation: {
        sample: { id: 1, name: "Sample" },
        /** @param {ZObject} z @param {Bundle} bundle */
        perform: async (z, bundle) => {
          const { body } = await callWorker(z, bundle, op, prepare(z, op, {}));
          return resultsOf(op, body).map((record) => ({
            ...record,
            id: record[d.value],
            name: record[d.label],
          }));
        },
      },
    };
  });
}

const byKey = (/** @type {{ key: string }[]} */ list) =>
  Object.fromEntries(list.map((item) => [item.key, item]));

export const triggers = byKey([
  ...OPERATIONS.filter((o) => o.kind === "trigger").map(trigger),
  ...dropdownTriggers(),
]);
export const searches = byKey(OPERATIONS.filter((o) => o.kind === "search").map(search));
export const creates = byKey(OPERATIONS.filter((o) => o.kind === "create").map(create));
export const searchOrCreates = Object.fromEntries(
  SEARCH_OR_CREATES.filter((p) => searches[p.search] && creates[p.create]).map((p) => [
    p.search,
    {
      key: p.search,
      display: { label: p.label, description: p.description },
      search: p.search,
      create: p.create,
    },
  ]),
);
