// A stand-in for the events worker's REST hook routes, as the brief for it describes them
// (POST /hooks {event, targetUrl} → 201 {id, event, targetUrl, createdAt}; GET /hooks;
// DELETE /hooks/{id} → 204), answering problems the way our workers do. The integrations' tests
// subscribe through it until workers/events exists; then they run against the real worker.
import { createServer } from "node:http";

const problem = (res, status, type, title, extra = {}) => {
  res.writeHead(status, { "Content-Type": "application/problem+json" });
  res.end(JSON.stringify({ type: `urn:st-edge:problem:${type}`, title, status, ...extra }));
};

/** @example const hooks = await startHooksStandIn({ apiKey, events: ["payment.created"] }); hooks.url; hooks.close(); */
export async function startHooksStandIn({ apiKey, events }) {
  const hooks = new Map();
  let next = 1;
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return problem(res, 401, "unauthorized", "Missing or invalid API key");
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.pathname === "/hooks") {
      const input = JSON.parse(body || "{}");
      const errors = [];
      if (!events.includes(input.event))
        errors.push({ in: "body", field: "event", message: `one of ${events.join(", ")}` });
      if (typeof input.targetUrl !== "string" || !/^https?:\/\//.test(input.targetUrl))
        errors.push({ in: "body", field: "targetUrl", message: "an http(s) URL" });
      if (errors.length > 0)
        return problem(res, 400, "validation-failed", "The request is not valid", { errors });
      const hook = {
        id: String(next++),
        event: input.event,
        targetUrl: input.targetUrl,
        createdAt: new Date().toISOString(),
      };
      hooks.set(hook.id, hook);
      res.writeHead(201, { "Content-Type": "application/json" });
      return res.end(JSON.stringify(hook));
    }
    if (req.method === "GET" && url.pathname === "/hooks") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ data: [...hooks.values()] }));
    }
    const match = url.pathname.match(/^\/hooks\/([^/]+)$/);
    if (req.method === "DELETE" && match) {
      if (!hooks.delete(decodeURIComponent(match[1]))) return problem(res, 404, "not-found", "Not found");
      res.writeHead(204);
      return res.end();
    }
    return problem(res, 404, "not-found", "Not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    hooks: () => [...hooks.values()],
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
