// The connection: the deployment's URL(s) and an API key. The test calls GET /openapi.json on
// every distinct worker URL: it needs the key (so a wrong key fails), costs no ServiceTitan call,
// and any answer of ours other than 401 proves the key (a 404 problem from a worker behind one
// host still means that worker accepted it).

import { authHeaders, deploymentUrls, failWith, send } from "./call.js";
import { WORKERS } from "./generated/model.js";
import { distinctWorkerUrls, InputError } from "./generated/runtime.js";

/** @typedef {import("zapier-platform-core").ZObject} ZObject */
/** @typedef {import("zapier-platform-core").Bundle} Bundle */

/** @param {ZObject} z @param {Bundle} bundle */
async function test(z, bundle) {
  let urls;
  try {
    urls = distinctWorkerUrls(
      deploymentUrls(bundle.authData),
      WORKERS.map((w) => w.name),
    );
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.Error(error.message, "invalid_url", 400);
    throw error;
  }
  const checked = await Promise.all(
    urls.map(async (url) => {
      const response = await send(z, { url: `${url}/openapi.json`, headers: authHeaders(bundle.authData) });
      const ours = (response.getHeader("content-type") ?? "").includes("json");
      if (response.status >= 200 && response.status < 300 && ours) return url;
      if (response.status === 404 && /urn:st-edge:problem:/.test(response.content)) return url;
      failWith(z, response, url);
      throw new z.errors.Error(
        `No ServiceTitan edge worker answered at ${url}.`,
        "invalid_url",
        response.status,
      );
    }),
  );
  // The label names the deployment as the user typed it (a `{worker}` pattern stays a pattern).
  const host = String(bundle.authData.baseUrl ?? "")
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/.*$/, "");
  return { host, workers: checked.length };
}

export const authentication = {
  type: /** @type {const} */ ("custom"),
  fields: [
    {
      key: "baseUrl",
      label: "Deployment URL",
      required: true,
      type: /** @type {const} */ ("string"),
      helpText:
        "Where your ServiceTitan edge deployment answers. One host in front of every capability (`https://st.acme-plumbing.com`), or a pattern with `{worker}` when each capability has its own address (`https://acme-plumbing-{worker}.acme.workers.dev`). Your administrator has it.",
    },
    {
      key: "apiKey",
      label: "API Key",
      required: true,
      type: /** @type {const} */ ("password"),
      helpText: "A caller key of the deployment (made with `pnpm tenant new-key`). Sent as a Bearer token.",
    },
    ...WORKERS.map((worker) => ({
      key: `url_${worker.name.replaceAll("-", "_")}`,
      label: `${worker.title} URL`,
      required: false,
      type: /** @type {const} */ ("string"),
      helpText: `Optional: only when ${worker.name} has an address of its own that the Deployment URL does not give.`,
    })),
  ],
  test,
  connectionLabel: "{{host}}",
};
