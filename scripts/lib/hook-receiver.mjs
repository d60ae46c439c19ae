// A REST hook subscriber for the integrations' tests: an HTTP server on 127.0.0.1 that records
// every delivery the events worker POSTs to it (raw body and headers, as a platform's webhook
// endpoint receives them) and answers 200.
import { createServer } from "node:http";

/**
 * @example const receiver = await startHookReceiver();
 *   // subscribe receiver.url("/zap-1"), make a change, then:
 *   const delivery = await receiver.next((d) => d.body.paymentId === id);
 */
export async function startHookReceiver() {
  const deliveries = [];
  const waiting = new Set();
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = JSON.parse(rawBody);
      } catch {}
      const delivery = { path: request.url, headers: request.headers, rawBody, body, at: Date.now() };
      deliveries.push(delivery);
      for (const waiter of waiting) waiter(delivery);
      response.statusCode = 200;
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    deliveries,
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    /** The first delivery (already here or still to come) that `match` accepts, within `ms`. */
    next: (match, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const found = deliveries.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(() => {
          waiting.delete(waiter);
          reject(new Error(`no matching delivery within ${ms} ms (${deliveries.length} received)`));
        }, ms);
        const waiter = (delivery) => {
          if (!match(delivery)) return;
          clearTimeout(timer);
          waiting.delete(waiter);
          resolve(delivery);
        };
        waiting.add(waiter);
      }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
